using Annlsp.Language.LayerKinds;
using Annlsp.Language.Syntax;

namespace Annlsp.Language.Semantics;

internal sealed partial class Checker
{
    private ShapeRuleContext? _shapeRules;

    /// <summary>Output shape, parameter count and multiply–adds of one built-in layer: its kind's rule (LayerKinds/), as PyTorch defines them.</summary>
    private ShapeResult Infer(LayerInfo info, ArgumentValues args, Shape input, LayerSyntax layer)
    {
        var context = _shapeRules ??= new ShapeRuleContext(_diagnostics);
        context.Reset(args, input, layer);
        return context.Run(info);
    }
}
