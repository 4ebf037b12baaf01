using Annlsp.Language.Semantics;

namespace Annlsp.Language.Tests.Diffusion;

/// <summary>The noise schedules against the papers' definitions, and what the checker and hover make of a diffusion.</summary>
public class DiffusionScheduleTests
{
    [Fact]
    public void Linear_alpha_bar_is_the_product_of_one_minus_Ho_et_als_betas()
    {
        var s = DiffusionSchedule.Linear(1000, 1e-4, 0.02);
        Assert.Equal(1e-4, s.Betas[0], 15);
        Assert.Equal(0.02, s.Betas[^1], 15);
        double logSum = 0;
        for (int t = 1; t <= 1000; t++)
        {
            double beta = 1e-4 + (0.02 - 1e-4) * (t - 1) / 999.0; // β_t of Ho et al. 2020
            logSum += Math.Log(1 - beta);
            Assert.Equal(Math.Exp(logSum), s.AlphaBars[t - 1], 12);
        }
        // the published figure: ᾱ_T ≈ 4.04e-5 (√ᾱ_T ≈ 0.0064), so x_T is practically pure noise
        Assert.Equal(4.0358e-5, s.AlphaBarAtEnd, 8);
        Assert.Equal(0.006353, s.SignalAtEnd, 5);
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(100)]
    public void Cosine_alpha_bar_is_Nichol_and_Dhariwals_squared_cosine(int steps)
    {
        var s = DiffusionSchedule.Cosine(steps);
        static double F(double t, int T) => Math.Pow(Math.Cos((t / T + 0.008) / 1.008 * Math.PI / 2), 2);
        // ᾱ_t = f(t)/f(0) wherever β_t was not clipped to 0.999 (only the last steps are)
        for (int t = 1; t < steps; t++)
            Assert.Equal(F(t, steps) / F(0, steps), s.AlphaBars[t - 1], 12);
        Assert.Equal(0.999, s.Betas[^1], 12);
        Assert.All(s.Betas, b => Assert.InRange(b, 0, 0.999));
        Assert.Equal(0.49384, DiffusionSchedule.Cosine(1000).AlphaBars[499], 5);
    }

    [Fact]
    public void Ddim_visits_n_evenly_spaced_steps_ending_at_T_and_ddpm_all()
    {
        var s = DiffusionSchedule.Linear(1000, 1e-4, 0.02);
        var ddim = s.SamplerSteps(DiffusionSampler.Ddim(50));
        Assert.Equal(50, ddim.Length);
        Assert.Equal(19, ddim[0]);
        Assert.Equal(999, ddim[^1]);
        Assert.All(ddim.Zip(ddim.Skip(1)), p => Assert.Equal(20, p.Second - p.First));
        Assert.Equal(Enumerable.Range(0, 1000), s.SamplerSteps(DiffusionSampler.Ddpm));
        Assert.Equal(Enumerable.Range(0, 1000), s.SamplerSteps(DiffusionSampler.Ddim(1000)));
        Assert.Equal(DiffusionSampler.Ddim(50), DiffusionSampler.Parse("ddim(50)"));
        Assert.Equal(DiffusionSampler.Ddpm, DiffusionSampler.Parse("ddpm"));
        Assert.Null(DiffusionSampler.Parse("ddim(0)"));
        Assert.Null(DiffusionSampler.Parse("euler"));
    }

    [Fact]
    public void A_diffusion_declaration_gets_its_defaults_and_its_training_targets_it()
    {
        var analysis = DocumentAnalysis.Analyze("""
            network D {
                input(1x28x28)
                conv(8, kernel: 3, padding: same) -> relu
                conv(1, kernel: 3, padding: same)
            }
            diffusion F { denoiser: D }
            train F { data: fashion_mnist }
            """);
        Assert.DoesNotContain(analysis.Diagnostics, d => d.IsError);
        var f = analysis.Diffusions["F"];
        Assert.Equal(("linear", 1000, 1e-4, 0.02), (f.Schedule.Kind, f.Schedule.Steps, f.Schedule.BetaStart, f.Schedule.BetaEnd));
        Assert.Equal((DiffusionSampler.Ddim(50), 128, 0.999), (f.Sampler, f.TimeEmbedding, f.Ema));
        var train = Assert.Single(analysis.Trains);
        Assert.Equal(TrainKind.Diffusion, train.Kind);
        Assert.Same(f, train.Diffusion);
        Assert.Equal(("mse", 2e-4, 256), (train.Loss, train.Optimizer.LearningRate, train.ScoreSamples));
    }

    [Fact]
    public void Hover_on_the_declaration_shows_alpha_bar_at_T_and_the_signal_left()
    {
        const string text = """
            network D {
                input(1x28x28)
                conv(1, kernel: 3, padding: same)
            }
            diffusion Fashion { denoiser: D  steps: 1000 }
            """;
        var analysis = DocumentAnalysis.Analyze(text);
        var hover = Annlsp.Language.Editor.HoverProvider.Describe(analysis, text.IndexOf("Fashion", StringComparison.Ordinal) + 2);
        Assert.NotNull(hover);
        Assert.Contains("ᾱ at T | 4.04e-5", hover.Markdown);
        Assert.Contains("√ᾱ_T) | 0.0064", hover.Markdown);
        Assert.Contains("1×28×28 + time(128) → 1×28×28", hover.Markdown);
    }

    [Fact]
    public void Parser_recovers_from_a_broken_diffusion_and_checks_the_next_declaration()
    {
        var analysis = DocumentAnalysis.Analyze("diffusion { steps: ddim( \nnetwork N {\n input(4)\n dense(2)\n}\ndiffusion X { denoiser: N  sampler: ddim(0)  ema: 2  steps: 1 }");
        Assert.True(analysis.Networks.ContainsKey("N"));
        Assert.Contains(analysis.Diagnostics, d => d.Code == "ANN1005");
        Assert.Contains(analysis.Diagnostics, d => d.Code == "ANN4015");
        Assert.Contains(analysis.Diagnostics, d => d.Code == "ANN4012");
        Assert.Contains(analysis.Diagnostics, d => d.Code == "ANN3035"); // 4 → 2
    }
}
