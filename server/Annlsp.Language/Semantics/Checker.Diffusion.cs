using Annlsp.Language.Syntax;
using Annlsp.Language.Text;
using static Annlsp.Language.Diagnostics.DiagnosticBuilder;

namespace Annlsp.Language.Semantics;

/// <summary>diffusion declarations: the denoiser, its noise schedule, sampler, time embedding and EMA.</summary>
internal sealed partial class Checker
{
    internal const int MinDiffusionSteps = 2, MaxDiffusionSteps = 100_000;
    /// <summary>√ᾱ_T above this: the last step still shows the image (ANN5015).</summary>
    private const double MaxSignalAtLastStep = 0.1;

    private readonly Dictionary<string, DiffusionDeclarationSyntax> _diffusionSyntax = new();
    public readonly Dictionary<string, DiffusionModel> Diffusions = new();
    /// <summary>Networks named as a diffusion's denoiser, with the length of their `time`: known before networks are checked.</summary>
    private readonly Dictionary<string, int> _denoiserTimeEmbedding = new();

    /// <summary>
    /// The length of `time` in the network being checked: the `time_embed` of the first diffusion that names it as its
    /// denoiser, or null when no diffusion does (then `time` is an error there).
    /// </summary>
    private int? DenoiserTimeEmbedding(string network) =>
        _denoiserTimeEmbedding.TryGetValue(network, out int d) ? d : null;

    /// <summary>Before the networks are checked: which networks are denoisers, and how long their `time` is.</summary>
    private void PrescanDiffusions()
    {
        foreach (var decl in _root.Declarations.OfType<DiffusionDeclarationSyntax>())
        {
            string? denoiser = null;
            int timeEmbedding = DiffusionModel.DefaultTimeEmbedding;
            foreach (var prop in decl.Body.Properties)
            {
                if (prop.Name.Text == "denoiser" && prop.Value is NameExpressionSyntax n && denoiser is null) denoiser = n.Name.Text;
                if (prop.Name.Text == "time_embed" && prop.Value is LiteralExpressionSyntax { Token.Kind: SyntaxKind.Number } lit
                    && int.TryParse(lit.Token.Text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int d) && d >= 2)
                    timeEmbedding = d;
            }
            if (denoiser is not null) _denoiserTimeEmbedding.TryAdd(denoiser, timeEmbedding);
        }
    }

    private void CheckDiffusions()
    {
        foreach (var decl in _root.Declarations.OfType<DiffusionDeclarationSyntax>())
        {
            _cancellation.ThrowIfCancellationRequested();
            var diffusion = CheckDiffusion(decl);
            if (_diffusionSyntax.GetValueOrDefault(decl.Name.Text) == decl) Diffusions[decl.Name.Text] = diffusion;
        }
    }

    private DiffusionModel CheckDiffusion(DiffusionDeclarationSyntax decl)
    {
        string name = decl.Name.Text;
        var props = Properties(decl.Body, TrainingCatalog.DiffusionProperties, "diffusion", name);
        TextSpan nameSpan = decl.Name.IsMissing ? decl.Keyword.Span : decl.Name.Span;

        NetworkModel? denoiser = null;
        if (props.TryGetValue("denoiser", out var d)) denoiser = ResolveNetwork(d.Value, "denoiser");
        else _diagnostics.Add(DiffusionNeedsDenoiser(nameSpan, name));

        int steps = ReadDiffusionSteps(props);
        string scheduleKind = ReadDiffusionWord(props, "schedule", TrainingCatalog.NoiseSchedules, "linear");
        var (betaStart, betaEnd) = ReadBetas(props);
        var schedule = DiffusionSchedule.Create(scheduleKind, steps, betaStart, betaEnd);
        var sampler = ReadSampler(props, steps);
        int timeEmbedding = IntProperty(props, "time_embed", DiffusionModel.DefaultTimeEmbedding, 2);
        double ema = ReadEma(props);
        string prediction = ReadDiffusionWord(props, "predict", TrainingCatalog.Predictions, DiffusionModel.PredictNoise);

        if (schedule.SignalAtEnd > MaxSignalAtLastStep)
        {
            var at = props.TryGetValue("steps", out var s) ? s.Value.Span : props.TryGetValue("beta_end", out var b) ? b.Value.Span : nameSpan;
            _diagnostics.Add(NoiseLeftAtLastStep(at, steps, schedule.SignalAtEnd));
        }
        if (denoiser is not null) CheckDenoiser(denoiser, d!.Value.Span, name, prediction);

        return new DiffusionModel
        {
            Name = name, Denoiser = denoiser, Schedule = schedule, Sampler = sampler, TimeEmbedding = timeEmbedding, Ema = ema, Prediction = prediction, Syntax = decl,
        };
    }

    private void CheckDenoiser(NetworkModel denoiser, TextSpan use, string diffusion, string prediction)
    {
        if (denoiser.Input.IsKnown && denoiser.Output.IsKnown && !denoiser.Output.Equals(denoiser.Input))
            _diagnostics.Add(DenoiserShapeMismatch(use, denoiser.Name, denoiser.Input, InputSpan(denoiser), denoiser.Output, OutputSpan(denoiser)));
        var last = denoiser.Layers.LastOrDefault();
        // the noise and the velocity are unbounded; a clean image lies in [−1, 1], which tanh fits
        if (last is { Kind: "tanh" or "sigmoid" or "relu" or "softmax" } && !(prediction == DiffusionModel.PredictImage && last.Kind == "tanh"))
            _diagnostics.Add(DenoiserEndsInActivation(last.UseSite ?? last.Span, denoiser.Name, last.Kind, use, prediction));
        CheckNoBatchStatistic(denoiser, $"the denoiser of diffusion '{diffusion}'", use);
        if (denoiser.IsValid && denoiser.Graph.TimeId is null && denoiser.Syntax is not null)
            _diagnostics.Add(DenoiserWithoutTime(use, denoiser.Name, diffusion, denoiser.Syntax.Name.Span));
    }

    private int ReadDiffusionSteps(Dictionary<string, PropertySyntax> props)
    {
        var v = PropertyValue(props, "steps");
        if (v is null or ErrorValue) return DiffusionModel.DefaultSteps;
        if (v is IntValue { V: >= MinDiffusionSteps and <= MaxDiffusionSteps } i) return (int)i.V;
        if (v is IntValue bad) _diagnostics.Add(DiffusionStepsOutOfRange(v.Span, bad.V, MinDiffusionSteps, MaxDiffusionSteps));
        else _diagnostics.Add(WrongPropertyType(v.Span, "steps", "an integer", v.Describe()));
        return DiffusionModel.DefaultSteps;
    }

    private string ReadDiffusionWord(Dictionary<string, PropertySyntax> props, string property, IReadOnlyList<(string Name, string Documentation)> values, string fallback)
    {
        var v = PropertyValue(props, property);
        if (v is null or ErrorValue) return fallback;
        var known = values.Select(x => x.Name).ToArray();
        string? text = v switch { WordValue w => w.V, StringValue str => str.V, CallValue c => c.Name, _ => null };
        if (v is WordValue word && known.Contains(word.V)) return word.V;
        var near = text is null ? null : known.Contains(text) ? text : NameMatcher.Nearest(text, known);
        _diagnostics.Add(UnknownDiffusionValue(v.Span, property, v.Describe(), near, known));
        return fallback;
    }

    private (double Start, double End) ReadBetas(Dictionary<string, PropertySyntax> props)
    {
        double? Read(string property, double fallback)
        {
            var v = PropertyValue(props, property);
            switch (v)
            {
                case null or ErrorValue: return fallback;
                case NumberVal n: return n.V;
                case IntValue i: return i.V;
                default:
                    _diagnostics.Add(BetaNotANumber(v.Span, property, v.Describe()));
                    return null;
            }
        }
        double? start = Read("beta_start", DiffusionModel.DefaultBetaStart), end = Read("beta_end", DiffusionModel.DefaultBetaEnd);
        if (start is null || end is null) return (DiffusionModel.DefaultBetaStart, DiffusionModel.DefaultBetaEnd);
        if (start > 0 && start <= end && end < 1) return (start.Value, end.Value);
        var at = props.TryGetValue(start is <= 0 or >= 1 || !props.ContainsKey("beta_end") ? "beta_start" : "beta_end", out var p) ? p.Value.Span : props["beta_start"].Value.Span;
        _diagnostics.Add(BadBetaRange(at, start.Value, end.Value));
        return (DiffusionModel.DefaultBetaStart, DiffusionModel.DefaultBetaEnd);
    }

    private static readonly ParameterInfo[] DdimParameters = [new("steps", ParameterType.Int, null, "The number of sampling steps, at most the diffusion's steps.")];

    private DiffusionSampler ReadSampler(Dictionary<string, PropertySyntax> props, int steps)
    {
        var fallback = DiffusionModel.DefaultSampler.Steps <= steps ? DiffusionModel.DefaultSampler : DiffusionSampler.Ddim(steps);
        var v = PropertyValue(props, "sampler");
        switch (v)
        {
            case null or ErrorValue: return fallback;
            case WordValue { V: "ddpm" }: return DiffusionSampler.Ddpm;
            case CallValue { Name: "ddim" } c:
                var bound = BindArguments(c.Syntax.Arguments, DdimParameters, "ddim", c.Syntax.Name.Span, Environment.Empty);
                if (bound is null || !bound.TryGetValue("steps", out var n)) return fallback;
                long k = System.Convert.ToInt64(n);
                if (k >= 1 && k <= steps) return DiffusionSampler.Ddim((int)k);
                var stepsSpan = props.TryGetValue("steps", out var sp) ? sp.Value.Span : props["sampler"].Value.Span;
                _diagnostics.Add(SamplerStepsOutOfRange(c.Syntax.Arguments.Arguments.FirstOrDefault()?.Value.Span ?? c.Span, k, steps, stepsSpan));
                return fallback;
            case WordValue { V: "ddim" }:
                return fallback; // ddim without a count: ddim(50), or every step when the diffusion has fewer
            default:
                ReadDiffusionWord(props, "sampler", TrainingCatalog.Samplers, "ddim");
                return fallback;
        }
    }

    private double ReadEma(Dictionary<string, PropertySyntax> props)
    {
        var v = PropertyValue(props, "ema");
        double? f = v switch { NumberVal n => n.V, IntValue i => i.V, _ => null };
        if (f is >= 0 and < 1) return f.Value;
        if (f is not null) _diagnostics.Add(EmaOutOfRange(v!.Span, v.Describe()));
        else if (v is not (null or ErrorValue)) _diagnostics.Add(WrongPropertyType(v.Span, "ema", "a number", v.Describe()));
        return DiffusionModel.DefaultEma;
    }

    /// <summary>A diffusion's training data: images of the denoiser's input shape.</summary>
    private void CheckDiffusionDataFits(DataSetRef data, TextSpan dataSpan, DiffusionModel diffusion)
    {
        var denoiser = diffusion.Denoiser;
        if (denoiser is { Input.IsKnown: true } && !denoiser.Input.Equals(data.Shape))
            _diagnostics.Add(DiffusionDataShapeMismatch(dataSpan, data.Name, data.Shape, diffusion.Name, denoiser.Name, denoiser.Input, InputSpan(denoiser)));
    }
}
