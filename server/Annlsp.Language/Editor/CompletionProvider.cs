using Annlsp.Language.Semantics;
using Annlsp.Language.Syntax;

namespace Annlsp.Language.Editor;

/// <summary>
/// Completion. What is offered depends on where the caret is, read off the syntax tree (which the parser builds
/// for half-typed text too): layer names in a stack, argument names and enum values inside `( … )`, property
/// names and values in `train`/`gan`, network names after `train`, snippets at the top level, tensor names inside
/// `concat(`/`add(`, layers after an arrow of a merge argument's or a shortcut's chain (ranked after its shape there).
/// </summary>
public static partial class CompletionProvider
{
    public static List<CompletionEntry> Complete(DocumentAnalysis analysis, int offset)
    {
        string text = analysis.Text.Text;
        int wordStart = SyntaxQueries.WordStart(text, offset);
        // Inside a comment or a string: nothing.
        var member = SyntaxQueries.MemberForTyping(analysis.Root, wordStart);
        if (InCommentOrString(analysis, offset)) return new();
        var declaration = member as DeclarationSyntax;
        if (declaration is null) return TopLevel(analysis, wordStart);

        var before = SyntaxQueries.TokenBefore(declaration, wordStart);
        if (before is null) return TopLevel(analysis, wordStart);   // at or before the declaration's keyword
        if (declaration is TrainDeclarationSyntax train && before?.Kind == SyntaxKind.TrainKeyword)
            return TrainTargets(analysis);

        if (SyntaxQueries.StackBodyAt(declaration, wordStart) is { } stack)
        {
            if (MergeSlotAt(stack, before, wordStart) is { } merge) return TensorNames(analysis, declaration, stack, merge);
            if (ChainIncoming(analysis, before) is { } chainShapes) return Layers(analysis, false, chainShapes);
            var args = SyntaxQueries.ArgumentListAt(stack, wordStart);
            if (args is not null) return Arguments(analysis, args, before, wordStart, declaration as BlockDeclarationSyntax);
            bool first = declaration is NetworkDeclarationSyntax n && n.Body == stack && !stack.Layers.Any(l => l.Span.End <= wordStart);
            return Layers(analysis, first, first ? [] : IncomingShapes(analysis, stack, wordStart));
        }
        if (SyntaxQueries.PropertyBodyAt(declaration, wordStart) is { } properties)
        {
            var args = SyntaxQueries.ArgumentListAt(properties, wordStart);
            if (args is not null) return Arguments(analysis, args, before, wordStart, null);
            // `name: |` — but a word on a later line than a dangling `name:` starts the next property.
            if (before is { Kind: SyntaxKind.Colon, Parent: PropertySyntax property }
                && analysis.Text.GetPosition(before.Position).Line == analysis.Text.GetPosition(offset).Line)
                return PropertyValues(analysis, declaration, property.Name.Text);
            return PropertyNames(declaration, properties, wordStart);
        }
        // In a declaration header (before its `{`) or after its end.
        if (declaration.Span.End <= wordStart && before?.Kind == SyntaxKind.CloseBrace) return TopLevel(analysis, wordStart);
        return new();
    }

    private static bool InCommentOrString(DocumentAnalysis analysis, int offset)
    {
        var token = analysis.Root.FindToken(offset);
        if (token is null) return false;
        if (token.Kind == SyntaxKind.String && offset > token.Position && offset < token.Span.End) return true;
        foreach (var trivia in token.LeadingTrivia)
            if (trivia.Kind == SyntaxKind.Comment && offset > trivia.Position && offset <= trivia.Span.End) return true;
        return false;
    }

    private static string Sort(int group, string label) => $"{group:D2}_{label}";

    private static List<CompletionEntry> TopLevel(DocumentAnalysis analysis, int offset)
    {
        var target = SyntaxQueries.NetworkNames(analysis).FirstOrDefault() ?? "Net";
        return
        [
            Snippet("network", "network ${1:Name} {\n\tinput(${2:1x28x28})\n\t$0\n}", "A feed-forward stack: input, then layers.", 0),
            Snippet("block", "block ${1:Name}(${2:filters}) {\n\t$0\n}", "A reusable, parameterised stack, used like a layer.", 1),
            Snippet("gan", "gan ${1:Name} {\n\tgenerator: ${2:Generator}\n\tdiscriminator: ${3:Discriminator}\n}", "Pairs a generator and a discriminator network.", 2),
            Snippet("diffusion", "diffusion ${1:Name} {\n\tdenoiser: ${2:Denoiser}\n\tsteps: ${3:1000}\n\tschedule: ${4:linear}\n\tsampler: ${5:ddim(50)}\n}", "A diffusion model: a denoiser network, its noise schedule and sampler.", 3),
            Snippet("train", "train ${1:" + target + "} {\n\tdata: ${2:fashion_mnist}\n\tepochs: ${3:5}\n\tbatch: ${4:64}\n\toptimizer: adam(lr: ${5:1e-3})\n}", "How to train a network, gan or diffusion model.", 4),
        ];
    }

    private static CompletionEntry Snippet(string label, string body, string doc, int order) => new()
    {
        Label = label,
        Kind = CompletionEntryKind.Snippet,
        Detail = $"{label} declaration",
        Documentation = doc + "\n\n```ann\n" + body.Replace("\t", "    ") + "\n```",
        InsertText = body,
        IsSnippet = true,
        SortText = Sort(order, label),
    };

    private static List<CompletionEntry> TrainTargets(DocumentAnalysis analysis)
    {
        var items = SyntaxQueries.NetworkNames(analysis).Select(n => new CompletionEntry
        {
            Label = n, Kind = CompletionEntryKind.Class, Detail = Describe(analysis, n), SortText = Sort(0, n),
            Documentation = analysis.Networks.TryGetValue(n, out var model) ? SummaryTable.ToMarkdown(model) : null,
        }).ToList();
        items.AddRange(SyntaxQueries.GanNames(analysis).Select(g => new CompletionEntry { Label = g, Kind = CompletionEntryKind.Module, Detail = "gan", SortText = Sort(1, g) }));
        items.AddRange(analysis.Diffusions.Keys.Select(d => new CompletionEntry { Label = d, Kind = CompletionEntryKind.Module, Detail = "diffusion", SortText = Sort(1, d) }));
        return items;
    }

    private static string Describe(DocumentAnalysis analysis, string network) =>
        analysis.Networks.TryGetValue(network, out var m)
            ? $"network {m.Input} → {m.Output} · {SummaryTable.Number(m.Parameters)} params"
            : "network";

    private static readonly Dictionary<LayerCategory, int> CategoryOrder = new()
    {
        [LayerCategory.Convolution] = 1, [LayerCategory.Activation] = 2, [LayerCategory.Pooling] = 3, [LayerCategory.Dense] = 4,
        [LayerCategory.Reshaping] = 5, [LayerCategory.Normalization] = 6, [LayerCategory.Regularization] = 7, [LayerCategory.Input] = 8,
    };

    /// <summary>
    /// Layer names. With the incoming shapes known, what accepts them comes first in the order it usually follows
    /// them, and what does not comes last, marked with what it needs ("needs C×H×W; here 16").
    /// </summary>
    private static List<CompletionEntry> Layers(DocumentAnalysis analysis, bool firstInNetwork, IReadOnlyList<Shape> incoming)
    {
        var items = new List<CompletionEntry>();
        bool ranked = incoming.Count > 0;
        foreach (var layer in LayerCatalog.All)
        {
            if (layer.Category == LayerCategory.Input && !firstInNetwork) continue;
            bool misfit = ranked && !incoming.All(layer.Accepts);
            var required = layer.Parameters.Where(p => p.IsRequired).ToList();
            string insert = required.Count == 0
                ? layer.Name
                : $"{layer.Name}({string.Join(", ", required.Select((p, i) => i == 0 ? $"${{{i + 1}:{p.Name}}}" : $"{p.Name}: ${{{i + 1}:{p.Name}}}"))})";
            items.Add(new CompletionEntry
            {
                Label = layer.Name,
                LabelDetail = layer.Parameters.Length == 0 ? null : "(…)",
                Description = misfit ? $"needs {Needs(layer.Needs)}; here {Here(incoming)}" : layer.Category.ToString().ToLowerInvariant(),
                Kind = CompletionEntryKind.Function,
                Detail = layer.Signature,
                Documentation = $"{layer.Documentation}\n\n`{layer.ShapeRule}` · PyTorch: `{layer.PyTorch}`",
                InsertText = insert,
                IsSnippet = true,
                SortText = Sort(firstInNetwork && layer.Category == LayerCategory.Input ? 0 : ranked ? RankAfter(layer, incoming) : CategoryOrder[layer.Category], layer.Name),
                Preselect = firstInNetwork && layer.Category == LayerCategory.Input,
            });
        }
        foreach (var (name, block) in SyntaxQueries.Blocks(analysis))
        {
            var parameters = block.Parameters?.Parameters.ToList() ?? [];
            // Ranked as the built-in its body starts with (a block of convolutions after an image with conv).
            var first = ranked ? FirstBuiltIn(block) : null;
            bool misfit = first is not null && !incoming.All(first.Accepts);
            items.Add(new CompletionEntry
            {
                Label = name,
                LabelDetail = parameters.Count == 0 ? null : "(…)",
                Description = misfit ? $"block; needs {Needs(first!.Needs)}; here {Here(incoming)}" : "block",
                Kind = CompletionEntryKind.Class,
                Detail = "block " + SyntaxQueries.BlockSignature(block),
                Documentation = $"A block declared in this file:\n\n```ann\n{block.ToFullString().Trim()}\n```",
                InsertText = parameters.Count == 0 ? name : $"{name}({string.Join(", ", parameters.Select((p, i) => $"${{{i + 1}:{p.Text}}}"))})",
                IsSnippet = true,
                SortText = Sort(first is null ? 0 : RankAfter(first, incoming), name),
            });
        }
        items.Add(new CompletionEntry
        {
            Label = "residual",
            Kind = CompletionEntryKind.Keyword,
            Detail = "residual { layers }",
            Documentation = "output = input + layers(input); the inner stack must end in the shape it started with.",
            InsertText = "residual {\n\t$0\n}",
            IsSnippet = true,
            SortText = Sort(ranked ? MisfitGroup - 1 : 9, "residual"),
        });
        return items;
    }

    private static List<CompletionEntry> Arguments(DocumentAnalysis analysis, ArgumentListSyntax list, SyntaxToken? before, int offset, BlockDeclarationSyntax? inBlock)
    {
        var items = new List<CompletionEntry>();
        var signature = SyntaxQueries.SignatureFor(analysis, list);
        var blockParameters = inBlock?.Parameters?.Parameters.Select(p => p.Text).ToList() ?? [];
        if (signature is null) return items;
        var parameters = signature.Value.Parameters;

        // `name: |` — values for that parameter.
        if (before is { Kind: SyntaxKind.Colon, Parent: ArgumentSyntax { Name: { } argName } })
        {
            var p = parameters.FirstOrDefault(x => x.Name == argName.Text);
            if (p.Info is not null) items.AddRange(ValuesFor(p.Info));
            items.AddRange(ShapeValues(analysis, list, argName.Text));
            items.AddRange(blockParameters.Select(b => Value(b, "block parameter", CompletionEntryKind.Variable, 5)));
            return items;
        }

        // After `(` or `,`: the positional slot's values, then the names of arguments not given yet.
        int index = SyntaxQueries.ArgumentIndex(list, offset);
        var given = list.Arguments.Where(a => a.Name is not null).Select(a => a.Name!.Text).ToHashSet();
        bool anyNamedBefore = list.Arguments.Any(a => a.Name is not null && a.Span.End <= offset);
        if (!anyNamedBefore && index < parameters.Count && parameters[index].Info is { } positional)
        {
            items.AddRange(ValuesFor(positional));
            items.AddRange(ShapeValues(analysis, list, positional.Name));
        }
        int order = 0;
        foreach (var p in parameters)
        {
            order++;
            if (given.Contains(p.Name)) continue;
            items.Add(new CompletionEntry
            {
                Label = p.Name + ":",
                Kind = CompletionEntryKind.Property,
                Detail = p.Label,
                Documentation = p.Doc,
                InsertText = p.Name + ": ",
                FilterText = p.Name,
                SortText = Sort(p.Info?.IsRequired == true ? 1 : 2, $"{order:D2}"),
            });
        }
        items.AddRange(blockParameters.Select(b => Value(b, "block parameter", CompletionEntryKind.Variable, 5)));
        return items;
    }

    private static IEnumerable<CompletionEntry> ValuesFor(ParameterInfo parameter)
    {
        string[] words = parameter.Type switch
        {
            ParameterType.Enum => parameter.EnumValues ?? [],
            ParameterType.Padding => ["same", "valid"],
            ParameterType.Bool => ["true", "false"],
            _ => [],
        };
        int i = 0;
        foreach (var w in words)
        {
            yield return Value(w, $"{parameter.Name}: {parameter.TypeDisplay}", CompletionEntryKind.EnumMember, 0, (i++).ToString("D2"), parameter.DefaultDisplay == w)
                with { Documentation = parameter.Documentation };
        }
    }

    private static CompletionEntry Value(string word, string detail, CompletionEntryKind kind, int group, string? sortKey = null, bool isDefault = false) => new()
    {
        Label = word,
        Kind = kind,
        Detail = isDefault ? detail + " (default)" : detail,
        SortText = Sort(group, sortKey ?? word),
    };

    private static CompletionEntry Documented(CompletionEntry item, string doc) => item with { Documentation = doc };

    private static List<CompletionEntry> PropertyNames(DeclarationSyntax declaration, PropertyBodySyntax body, int offset)
    {
        var catalogue = declaration switch
        {
            GanDeclarationSyntax => TrainingCatalog.GanProperties,
            DiffusionDeclarationSyntax => TrainingCatalog.DiffusionProperties,
            _ => TrainingCatalog.TrainProperties,
        };
        var used = body.Properties.Where(p => !(p.Name.Span.Touches(offset))).Select(p => p.Name.Text).ToHashSet();
        return catalogue.Where(p => !used.Contains(p.Name)).Select((p, i) => new CompletionEntry
        {
            Label = p.Name,
            Kind = CompletionEntryKind.Property,
            Detail = p.Values,
            Documentation = p.Documentation,
            InsertText = p.Name + ": ",
            SortText = Sort(0, i.ToString("D2")),
        }).ToList();
    }

    private static List<CompletionEntry> PropertyValues(DocumentAnalysis analysis, DeclarationSyntax declaration, string property)
    {
        switch (property)
        {
            case "generator":
            case "discriminator":
            case "denoiser":
                return SyntaxQueries.NetworkNames(analysis).Select(n => new CompletionEntry
                {
                    Label = n, Kind = CompletionEntryKind.Class, Detail = Describe(analysis, n), SortText = Sort(0, n),
                }).ToList();
            case "data":
                return TrainingCatalog.DataSets.Select((d, i) => new CompletionEntry
                {
                    Label = d.Name,
                    Kind = CompletionEntryKind.Module,
                    Detail = d.Signature,
                    Documentation = (d.Documentation + (d.FixedShape is null ? "" : $"\n\nShape {d.FixedShape}, {d.Classes} classes: {string.Join(", ", d.ClassNames)}")),
                    InsertText = d.Parameters.Any(p => p.IsRequired)
                        ? $"{d.Name}({string.Join(", ", d.Parameters.Where(p => p.IsRequired).Select((p, j) => p.Type == ParameterType.String ? $"\"${{{j + 1}:{p.Name}}}\"" : $"{p.Name}: ${{{j + 1}:{p.Name}}}"))})"
                        : d.Name,
                    IsSnippet = true,
                    SortText = Sort(0, i.ToString("D2")),
                }).ToList();
            case "optimizer":
                return TrainingCatalog.Optimizers.Select((o, i) => new CompletionEntry
                {
                    Label = o.Name,
                    Kind = CompletionEntryKind.Function,
                    Detail = o.Signature,
                    Documentation = o.Documentation,
                    InsertText = $"{o.Name}(lr: ${{1:{o.Parameters[0].DefaultDisplay}}})",
                    IsSnippet = true,
                    SortText = Sort(0, i.ToString("D2")),
                }).ToList();
            case "device":
                return TrainingCatalog.Devices
                    .Select((w, i) => Documented(Value(w.Name, "device", CompletionEntryKind.EnumMember, 0, i.ToString("D2"), w.Name == "auto"), w.Documentation)).ToList();
            case "loss":
                return TrainingCatalog.Losses
                    .Select((w, i) => Documented(Value(w.Name, "loss", CompletionEntryKind.EnumMember, 0, i.ToString("D2")), w.Documentation)).ToList();
            case "schedule" when declaration is DiffusionDeclarationSyntax:
                return TrainingCatalog.NoiseSchedules
                    .Select((w, i) => Documented(Value(w.Name, "noise schedule", CompletionEntryKind.EnumMember, 0, i.ToString("D2"), w.Name == "linear"), w.Documentation)).ToList();
            case "predict" when declaration is DiffusionDeclarationSyntax:
                return TrainingCatalog.Predictions
                    .Select((w, i) => Documented(Value(w.Name, "what the denoiser predicts", CompletionEntryKind.EnumMember, 0, i.ToString("D2"), w.Name == "noise"), w.Documentation)).ToList();
            case "sampler":
                return TrainingCatalog.Samplers
                    .Select((w, i) => Documented(Value(w.Name == "ddim" ? "ddim(50)" : w.Name, "sampler", CompletionEntryKind.EnumMember, 0, i.ToString("D2"), w.Name == "ddim"), w.Documentation)).ToList();
            case "schedule":
                return TrainingCatalog.Schedules
                    .Select((w, i) => Documented(Value(w.Name, "schedule", CompletionEntryKind.EnumMember, 0, i.ToString("D2"), w.Name == "constant"), w.Documentation)).ToList();
            case "validate":
                return [Value("test", "validate on the test set", CompletionEntryKind.EnumMember, 0)];
            case "random_flip":
                return [Value("true", "mirror training images at random", CompletionEntryKind.Keyword, 0, "0"),
                        Value("false", "no flips", CompletionEntryKind.Keyword, 0, "1", isDefault: true)];
            default:
                return new();
        }
    }
}
