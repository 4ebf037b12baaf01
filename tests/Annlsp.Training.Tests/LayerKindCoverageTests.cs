using Annlsp.Language;
using Annlsp.Language.Semantics;
using Annlsp.Training.Export;
using Annlsp.Training.Model;

namespace Annlsp.Training.Tests;

/// <summary>
/// The trainer's half of the "Adding a layer kind" checklist (docs/architecture.md): every kind of the catalogue has a
/// TorchSharp builder and a PyTorch emitter, no builder or emitter names a kind that does not exist, and the export
/// round trip (<see cref="ExportTests"/>: TorchSharp module → .py + .pt → Debian's PyTorch, same outputs) uses every kind.
/// </summary>
public class LayerKindCoverageTests
{
    public static TheoryData<string> Kinds()
    {
        var data = new TheoryData<string>();
        // input fixes the shapes; it never becomes a module.
        foreach (var l in LayerCatalog.All.Where(l => l.Category != LayerCategory.Input)) data.Add(l.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Has_a_TorchSharp_builder(string kind) =>
        Assert.True(LayerBuilders.ByKind.ContainsKey(kind), $"Model/LayerBuilders.cs has no builder for '{kind}'");

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Has_a_PyTorch_emitter(string kind) =>
        Assert.True(PyTorchEmitters.ByKind.ContainsKey(kind), $"Export/PyTorchEmitters.cs has no emitter for '{kind}'");

    [Fact]
    public void Builders_and_emitters_name_only_kinds_of_the_catalogue()
    {
        var kinds = LayerCatalog.All.Select(l => l.Name).ToHashSet();
        Assert.DoesNotContain(LayerBuilders.ByKind.Keys, k => !kinds.Contains(k));
        Assert.DoesNotContain(PyTorchEmitters.ByKind.Keys, k => !kinds.Contains(k));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_export_round_trip_uses_it(string kind)
    {
        var analysis = DocumentAnalysis.Analyze(ExportTests.Source);
        Assert.False(analysis.HasErrors, string.Join("\n", analysis.Diagnostics.Select(d => d.Message)));
        var used = analysis.Networks.Values.SelectMany(n => SummaryTable.Rows(n)).Select(r => r.Layer.Kind).ToHashSet();
        Assert.True(used.Contains(kind), $"ExportTests.Source uses no '{kind}': add one so its module is compared with Debian's PyTorch");
    }
}
