using System.Text.Json.Nodes;
using Annlsp.Language.Tests.Differential;

namespace Annlsp.Language.Tests.References;

/// <summary>
/// Published networks written in the graph syntax (tests/references/*.ann) come out exact: the checker's parameter
/// and mult-add counts equal those of the same networks built in plain PyTorch (tests/references/torch_references.py,
/// module for module as torchvision and pix2pix define them). The table holds the script's figures; the torch test
/// reruns the script, so the table cannot drift from it.
/// </summary>
public class OutsideReferenceTests
{
    /// <summary>reference name, file, network, parameters (as published), mult-adds (the script's hooks), output shape.</summary>
    public static readonly TheoryData<string, string, string, long, long, string> References = new()
    {
        { "resnet18", "resnet18.ann", "ResNet18", 11_689_512, 1_814_073_344, "1000" },
        { "resnet50", "resnet50.ann", "ResNet50", 25_557_032, 4_089_184_256, "1000" },
        { "mobilenet_v2", "mobilenet_v2.ann", "MobileNetV2", 3_504_872, 300_774_272, "1000" },
        { "pix2pix_unet", "pix2pix_unet.ann", "UnetGenerator", 54_413_955, 6_048_186_368, "3×256×256" },
    };

    [Theory]
    [MemberData(nameof(References))]
    public void The_checker_counts_the_reference_exactly(string reference, string file, string network, long parameters, long multiplyAdds, string output)
    {
        var analysis = DocumentAnalysis.Analyze(File.ReadAllText(Repo.PathOf("tests", "references", file)));
        Assert.DoesNotContain(analysis.Diagnostics, d => d.IsError);
        var model = analysis.Networks[network];
        Assert.True(model.IsValid, reference);
        Assert.Equal(parameters, model.Parameters);
        Assert.Equal(multiplyAdds, model.MultiplyAdds);
        Assert.Equal(output, model.Output.ToString());
        // The graph counts the same, node by node.
        Assert.Equal(parameters, model.Graph.Nodes.Sum(n => n.Parameters));
        Assert.Equal(multiplyAdds, model.Graph.Nodes.Sum(n => n.MultiplyAdds));
    }

    [TorchFact]
    public void The_table_holds_what_plain_PyTorch_counts()
    {
        var (code, text) = PythonTorch.Run([Repo.PathOf("tests", "references", "torch_references.py")], TimeSpan.FromMinutes(10));
        Assert.True(code == 0, text);
        var counted = JsonNode.Parse(text.Trim().Split('\n')[^1])!.AsObject();
        foreach (var row in References)
        {
            var (reference, parameters, multiplyAdds, output) = ((string)row[0], (long)row[3], (long)row[4], (string)row[5]);
            var measured = counted[reference]!;
            Assert.Equal(parameters, measured["params"]!.GetValue<long>());
            Assert.Equal(multiplyAdds, measured["macs"]!.GetValue<long>());
            Assert.Equal(output, string.Join("×", measured["output"]!.AsArray().Select(d => d!.GetValue<long>())));
        }
    }
}
