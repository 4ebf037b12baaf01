using Annlsp.Language.Diagnostics;
using Annlsp.Language.Syntax;
using Annlsp.Language.Text;
using static Annlsp.Language.Diagnostics.DiagnosticBuilder;

namespace Annlsp.Language.Semantics;

/// <summary>gan declarations: the generator and discriminator and how they fit together.</summary>
internal sealed partial class Checker
{
    /// <summary>Resolves a network name written as a property value (gan generator, discriminator).</summary>
    private NetworkModel? ResolveNetwork(ExpressionSyntax value, string role)
    {
        if (value is MissingExpressionSyntax) return null;
        if (value is not NameExpressionSyntax name)
        {
            _diagnostics.Add(NotANetworkName(value.Span, role));
            return null;
        }
        string text = name.Name.Text;
        if (_networkSyntax.TryGetValue(text, out var decl))
        {
            _usedNetworks.Add(text);
            AddReference(_declarations[text], name.Name.Span, false);
            return Networks.GetValueOrDefault(text);
        }
        var near = NameMatcher.Nearest(text, _networkSyntax.Keys);
        _diagnostics.Add(UnknownNetwork(name.Span, name.Name.Span, text, near));
        return null;
    }

    private static TextSpan InputSpan(NetworkModel n) =>
        n.Syntax?.Body.Layers.FirstOrDefault()?.Span ?? n.Syntax?.Name.Span ?? default;

    /// <summary>
    /// Where a network's output shape is made, the layer to change when it is wrong: its last layer that can change
    /// a shape (trailing activations, batchnorm, dropout and identity residuals pass it on; a concat, a projected
    /// residual or a broadcasting add change it), or its input.
    /// </summary>
    private static TextSpan OutputSpan(NetworkModel n) =>
        ShapingLayer(n) is { } layer ? layer.UseSite ?? layer.Span : InputSpan(n);

    private static LayerInstance? ShapingLayer(NetworkModel n)
    {
        for (int i = n.Layers.Count - 1; i >= 0; i--)
            if (ChangesShape(n.Layers[i])) return n.Layers[i];
        return null;

        static bool ChangesShape(LayerInstance l) => l.Kind switch
        {
            "residual" => l.Shortcut.Count > 0,
            "concat" => true,
            "add" => !l.Input.Equals(l.Output),
            _ => l.Info is { KeepsShape: false },
        };
    }

    /// <summary>Inserts `flatten` right after the layer that makes the network's output, so trailing activations stay last.</summary>
    private static CodeFix? FlattenFix(NetworkModel n)
    {
        var layer = ShapingLayer(n);
        if (layer is null || n.Syntax is null) return null;
        // A layer expanded from a block: insert after the block's use in the network.
        var at = layer.UseSite ?? layer.Span;
        var item = n.Syntax.Body.Layers.FirstOrDefault(l => l.Span.Start <= at.Start && at.End <= l.Span.End);
        return item is null ? null : AppendFlatten(item.Span.End);
    }

    private GanModel CheckGan(GanDeclarationSyntax decl)
    {
        var props = Properties(decl.Body, TrainingCatalog.GanProperties, "gan", decl.Name.Text);
        NetworkModel? generator = null, discriminator = null;
        foreach (var role in new[] { "generator", "discriminator" })
        {
            if (!props.ContainsKey(role))
                _diagnostics.Add(GanNeedsNetwork(decl.Name.IsMissing ? decl.Keyword.Span : decl.Name.Span, decl.Name.Text, role));
        }
        if (props.TryGetValue("generator", out var g)) generator = ResolveNetwork(g.Value, "generator");
        if (props.TryGetValue("discriminator", out var d)) discriminator = ResolveNetwork(d.Value, "discriminator");
        if (generator is not null) CheckNoBatchStatistic(generator, $"the generator of gan '{decl.Name.Text}'", g!.Value.Span);
        // A generator that takes an image translates it (pix2pix): the discriminator judges the pair.
        bool conditional = generator is { Input.IsImage: true };
        double l1 = ReadL1(props, decl.Name.Text, generator, conditional);

        if (generator is { Input.IsKnown: true } && !generator.Input.IsVector && !conditional)
            _diagnostics.Add(GeneratorInput(g!.Value.Span, generator.Name, generator.Input, InputSpan(generator)));
        // reshape and flatten only rearrange values: look past them for the generator's last activation.
        var last = generator?.Layers.LastOrDefault(l => l.Kind is not ("reshape" or "flatten"));
        if (generator is not null && last is not null && last.Kind != "tanh" && generator.Output.IsKnown)
        {
            var lastSpan = last.UseSite ?? last.Span;
            _diagnostics.Add(GeneratorNotTanh(lastSpan, generator.Name, last.Kind, g!.Value.Span, decl.Name.Text));
        }
        ReceptiveField? patch = null;
        if (conditional)
            patch = CheckConditionalDiscriminator(d?.Value.Span ?? default, generator!, discriminator, g!.Value.Span);
        else
        {
            if (discriminator is { Output.IsKnown: true } && !(discriminator.Output.IsVector && discriminator.Output[0] == 1))
            {
                var output = discriminator.Output;
                _diagnostics.Add(DiscriminatorOutput(d!.Value.Span, discriminator.Name, output, OutputSpan(discriminator),
                    output.ElementCount == 1 ? FlattenFix(discriminator) : null));
            }
            if (generator is { Output.IsKnown: true } && discriminator is { Input.IsKnown: true } && !generator.Output.Equals(discriminator.Input))
            {
                _diagnostics.Add(GanShapeMismatch(d!.Value.Span, generator.Name, generator.Output, OutputSpan(generator),
                    discriminator.Name, discriminator.Input, InputSpan(discriminator)));
            }
        }
        return new GanModel
        {
            Name = decl.Name.Text, Generator = generator, Discriminator = discriminator, Syntax = decl,
            Conditional = conditional, L1Weight = l1, DiscriminatorPatch = patch,
        };
    }

    /// <summary>
    /// pix2pix: the discriminator sees the generator's input beside an image of the generator's output shape
    /// (channels added up, same H×W) and outputs one logit or a 1×N×N map of patch logits. Returns what one logit sees.
    /// </summary>
    private ReceptiveField? CheckConditionalDiscriminator(TextSpan at, NetworkModel generator, NetworkModel? discriminator, TextSpan generatorAt)
    {
        if (discriminator is null) return null;
        var gIn = generator.Input;
        var gOut = generator.Output;
        var dIn = discriminator.Input;
        if (gOut.IsImage && dIn.IsKnown && !dIn.Equals(Shape.Image(gIn[0] + gOut[0], gOut[1], gOut[2])))
        {
            _diagnostics.Add(ConditionalDiscriminatorInput(at, generator.Name, gIn, gOut, generatorAt, discriminator.Name, dIn, InputSpan(discriminator)));
            return null;
        }
        var output = discriminator.Output;
        if (!output.IsKnown) return null;
        bool oneLogit = output.IsVector && output[0] == 1;
        bool patchMap = output.IsImage && output[0] == 1 && output[1] == output[2];
        if (!oneLogit && !patchMap)
        {
            _diagnostics.Add(PatchDiscriminatorOutput(at, discriminator.Name, output, OutputSpan(discriminator)));
            return null;
        }
        return ReceptiveFields.Of(discriminator);
    }

    /// <summary>`l1: λ` — a number ≥ 0, 100 when absent; a warning on a gan that has no target image to compare with.</summary>
    private double ReadL1(Dictionary<string, PropertySyntax> props, string gan, NetworkModel? generator, bool conditional)
    {
        if (!props.TryGetValue("l1", out var prop)) return 100;
        var v = Evaluate(prop.Value, Environment.Empty);
        double? weight = v switch { NumberVal n => n.V, IntValue i => i.V, _ => null };
        if (weight is null or < 0)
        {
            if (v is not ErrorValue) _diagnostics.Add(BadL1Weight(v.Span, v.Describe()));
            return 100;
        }
        if (!conditional && generator is { Input.IsKnown: true })
            _diagnostics.Add(L1OnUnconditionalGan(prop.Span, gan, generator.Name, generator.Input));
        return weight.Value;
    }
}
