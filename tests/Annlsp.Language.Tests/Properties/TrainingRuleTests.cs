using System.Globalization;
using Annlsp.Language.Tests.Differential;
using CsCheck;

namespace Annlsp.Language.Tests.Properties;

/// <summary>
/// The `train` and `gan` shape rules against an oracle written from the design: random classifiers and
/// generator/discriminator pairs (generated valid networks, with tails that hit or miss each rule) trained
/// on every data set. The checker must report exactly the rule codes the oracle expects.
/// </summary>
public sealed class TrainingRuleTests
{
    private sealed record DataSet(string Text, int[] Shape, int Classes);

    private static DataSet PickData(Random rng)
    {
        switch (rng.Next(6))
        {
            case 0: return new("fashion_mnist", [1, 28, 28], 10);
            case 1: return new("mnist(\"data/mnist\")", [1, 28, 28], 10);
            case 2: return new("shapes", [1, 28, 28], 4);
            case 3: return new("cifar10(\"data/cifar\")", [3, 32, 32], 10);
            default:
            {
                int h = rng.Next(2) == 0 ? 28 : rng.Next(8, 33), w = rng.Next(2) == 0 ? h : rng.Next(8, 33);
                int c = rng.Next(3) == 0 ? 3 : 1;
                string channels = c == 3 || rng.Next(2) == 0 ? $", channels: {c}" : "";
                string size = h == w && rng.Next(2) == 0 ? h.ToString(CultureInfo.InvariantCulture) : $"{h}x{w}";
                return new($"images(\"data/pics\", size: {size}{channels})", [c, h, w], 0);
            }
        }
    }

    private static int[] PickInput(Random rng, DataSet data) => rng.Next(4) switch
    {
        0 or 1 => data.Shape,
        2 => [1, 28, 28],
        _ => [rng.Next(1, 4), rng.Next(8, 33), rng.Next(8, 33)],
    };

    private static string Dims(int[] s) => string.Join("x", s);

    private static HashSet<string> RuleCodes(DocumentAnalysis a) =>
        a.Diagnostics.Where(d => d.Code is "ANN3008" or "ANN3009" or "ANN3010" or "ANN3011" or "ANN3012" or "ANN3015" or "ANN3030" or "ANN3032" or "ANN5002")
            .Select(d => d.Code).ToHashSet();

    private static void AssertCodes(string text, HashSet<string> expected, string why)
    {
        var a = Invariants.AnalyzeChecked(text);
        var errors = a.Diagnostics.Where(d => d.IsError && !RuleCodes(a).Contains(d.Code)).ToList();
        Assert.True(errors.Count == 0, $"unexpected errors: {string.Join("; ", errors)}\n{text}");
        var actual = RuleCodes(a);
        Assert.True(actual.SetEquals(expected),
            $"expected {{{string.Join(", ", expected.Order())}}} ({why}), got {{{string.Join(", ", actual.Order())}}}:\n" +
            string.Join("\n", a.Diagnostics.Select(d => "  " + d)) + "\n-----\n" + text);
    }

    [Fact]
    public void Classifier_rules_match_the_oracle()
    {
        Gen.Int.Sample(seed =>
        {
            var rng = new Random(seed);
            var data = PickData(rng);
            int[] input = PickInput(rng, data);
            // The tail decides the output: a vector of the right or wrong size, or an image.
            int classes = data.Classes > 0 ? data.Classes : rng.Next(2, 12);
            int kind = rng.Next(4);
            int units = kind == 1 ? classes + rng.Next(1, 5) : classes;
            string tail = kind == 2 ? "conv(2, kernel: 1)" : $"flatten -> dense({units}){(kind == 3 ? " -> softmax" : "")}";
            var generator = new NetworkGenerator(seed);
            // Keep the image an image until the tail (the conv tail needs one).
            var net = generator.GenerateFrom("Classifier", input, kind == 2 ? 0 : rng.Next(0, 5), tail);
            string text = net.Text + $"\ntrain Classifier {{\n    data: {data.Text}\n}}\n";

            var expected = new HashSet<string>();
            var why = new List<string>();
            if (!input.SequenceEqual(data.Shape)) { expected.Add("ANN3011"); why.Add($"input {Dims(input)} ≠ data {Dims(data.Shape)}"); }
            if (kind == 2) { expected.Add("ANN3015"); why.Add("image output"); }
            else if (data.Classes > 0 && units != data.Classes) { expected.Add("ANN3012"); why.Add($"{units} outputs ≠ {data.Classes} classes"); }
            AssertCodes(text, expected, string.Join(", ", why));
        }, iter: 1500, print: seed => $"seed {seed}");
    }

    [Fact]
    public void Gan_rules_match_the_oracle()
    {
        Gen.Int.Sample(seed =>
        {
            var rng = new Random(seed);
            var data = PickData(rng);
            int[] image = PickInput(rng, data);
            var generator = new NetworkGenerator(seed);
            var expected = new HashSet<string>();
            var why = new List<string>();

            // Generator: latent vector (or an image: a conditional gan, pix2pix) → dense → reshape to an image, maybe → tanh.
            bool imageInput = rng.Next(6) == 0;
            int[] gInput = imageInput ? [1, 4, 4] : [rng.Next(8, 129)];
            int[] gOut = rng.Next(4) == 0 ? [image[0], image[1] + 1, image[2]] : image;
            bool tanh = rng.Next(4) != 0;
            string gTail = $"flatten -> dense({gOut[0] * gOut[1] * gOut[2]}) -> reshape({Dims(gOut)}){(tanh ? " -> tanh" : rng.Next(2) == 0 ? " -> sigmoid" : "")}";
            var g = generator.GenerateFrom("Gen", gInput, rng.Next(0, 3), gTail);
            if (!tanh) { expected.Add("ANN5002"); why.Add("generator does not end in tanh"); }

            // Discriminator: the image → … → flatten → dense(1), or a wrong number of logits.
            int logits = rng.Next(5) == 0 ? rng.Next(2, 5) : 1;
            var d = generator.GenerateFrom("Disc", image, rng.Next(0, 4), $"flatten -> dense({logits})");
            if (imageInput)
            {
                // Conditional: the discriminator must see the 1-channel input beside the output (1 + C channels,
                // never the image's 1 or 3), which is reported first; the data set must be pairs, not images alone.
                expected.Add("ANN3030"); why.Add($"conditional discriminator {Dims(image)} ≠ {1 + gOut[0]} channels");
                expected.Add("ANN3032"); why.Add("conditional gan on a data set of images alone");
            }
            else
            {
                if (logits != 1) { expected.Add("ANN3009"); why.Add($"{logits} logits"); }
                if (!gOut.SequenceEqual(image)) { expected.Add("ANN3008"); why.Add($"generator {Dims(gOut)} ≠ discriminator {Dims(image)}"); }
                if (!image.SequenceEqual(data.Shape)) { expected.Add("ANN3011"); why.Add($"discriminator {Dims(image)} ≠ data {Dims(data.Shape)}"); }
            }

            string text = g.Text + "\n" + d.Text + "\ngan Pair {\n    generator: Gen\n    discriminator: Disc\n}\n" +
                          $"train Pair {{\n    data: {data.Text}\n    preview: 4x4\n}}\n";
            AssertCodes(text, expected, string.Join(", ", why));
        }, iter: 1500, print: seed => $"seed {seed}");
    }

    [Fact]
    public void A_classifier_with_an_image_output_is_reported_for_every_data_set()
    {
        const string text = """
            network N {
                input(1x28x28)
                conv(4, kernel: 3)
            }
            train N { data: images("pics", size: 28x28) }
            """;
        var a = Invariants.AnalyzeChecked(text);
        Assert.Contains(a.Diagnostics, d => d.Code == "ANN3015");
    }
}
