using Annlsp.Language.Syntax;

namespace Annlsp.Language.Tests;

/// <summary>
/// <see cref="DocumentAnalysis.ClosureOf"/>: only errors in what a training uses (its train declaration, the network or
/// gan it names, a gan's networks, the blocks they use) stop it; the file's other errors are reported, not fatal.
/// </summary>
public sealed class TrainingClosureTests
{
    private const string Quick = """
        network Quick {
            input(1x28x28)
            flatten
            dense(4)
        }
        train Quick {
            data: shapes
            epochs: 1
        }

        """;

    private const string BrokenTiny = """
        network Tiny {
            input(1x28x28)
            dense(4)
        }

        """;

    private static (DocumentAnalysis Analysis, Semantics.TrainingClosure Closure) Closure(string text, string target)
    {
        var analysis = DocumentAnalysis.Analyze(text);
        var train = analysis.Root.Declarations.OfType<TrainDeclarationSyntax>().Single(t => t.Name.Text == target);
        return (analysis, analysis.ClosureOf(train));
    }

    private static string Names(Semantics.TrainingClosure c) =>
        string.Join(" ", c.Declarations.Select(d => $"{d.Keyword.Text}:{d.Name.Text}"));

    [Fact]
    public void An_error_in_an_unrelated_network_is_another_error_not_a_blocking_one()
    {
        var (analysis, closure) = Closure(BrokenTiny + Quick, "Quick");
        Assert.True(analysis.HasErrors);
        Assert.True(closure.CanTrain);
        Assert.Equal("train:Quick network:Quick", Names(closure));
        Assert.Equal("ANN3001", Assert.Single(closure.OtherErrors).Code);
    }

    [Fact]
    public void A_training_of_the_broken_network_is_refused_with_its_errors()
    {
        var (_, closure) = Closure(BrokenTiny + Quick + "train Tiny {\n    data: shapes\n}\n", "Tiny");
        Assert.False(closure.CanTrain);
        Assert.Equal("ANN3001", Assert.Single(closure.Errors).Code);
        Assert.Empty(closure.OtherErrors);
    }

    [Fact]
    public void An_error_in_the_train_declaration_itself_blocks_it()
    {
        var (_, closure) = Closure(Quick.Replace("epochs: 1", "epochs: 1\n    epoch: 2"), "Quick");
        Assert.Equal("ANN2015", Assert.Single(closure.Errors).Code);
    }

    [Fact]
    public void Blocks_used_through_other_blocks_belong_to_the_closure()
    {
        const string text = """
            block Inner(n) {
                dense(n) -> relu
            }
            block Outer(n) {
                Inner(n)
                dense(n, bias: maybe)
            }
            block Unused(n) {
                dense(n, bias: maybe)
            }
            network Net {
                input(8)
                Outer(4)
            }
            train Net {
                data: shapes
            }
            """;
        var (_, closure) = Closure(text, "Net");
        Assert.Equal("train:Net network:Net block:Outer block:Inner", Names(closure));
        // The error in Outer stops the training; the same error in the block nobody uses does not.
        var blocking = Assert.Single(closure.Errors, e => e.Code == "ANN2007");
        Assert.Contains(closure.OtherErrors, e => e.Code == "ANN2007" && e.Span.Start > blocking.Span.Start);
    }

    [Fact]
    public void A_gan_brings_in_its_generator_and_discriminator_and_their_errors()
    {
        const string text = """
            network Gen {
                input(100)
                dense(784) -> tanh
                reshape(1x28x28)
            }
            network Disc {
                input(1x28x28)
                dense(1)
            }
            network Other {
                input(4)
                conv(2, kernel: 3)
            }
            gan G {
                generator: Gen
                discriminator: Disc
            }
            train G {
                data: shapes
                epochs: 1
            }
            """;
        var (_, closure) = Closure(text, "G");
        Assert.Equal("train:G gan:G network:Gen network:Disc", Names(closure));
        Assert.Contains(closure.Errors, e => e.Code == "ANN3001");       // Disc: dense after an image
        Assert.DoesNotContain(closure.Errors, e => e.Code == "ANN3002");  // Other: conv on a vector
        Assert.Contains(closure.OtherErrors, e => e.Code == "ANN3002");
    }

    [Fact]
    public void A_second_declaration_of_a_used_name_is_part_of_the_closure()
    {
        // Which of the two the user means is unclear: the duplicate's error stops the training.
        var (_, closure) = Closure(Quick + "network Quick {\n    input(4)\n    dense(2)\n}\n", "Quick");
        Assert.Equal("ANN2003", Assert.Single(closure.Errors).Code);
    }

    [Fact]
    public void A_syntax_error_between_declarations_is_another_error_one_inside_the_network_blocks()
    {
        var (_, outside) = Closure(BrokenTiny.Replace("network Tiny", ") network Tiny") + Quick, "Quick");
        Assert.True(outside.CanTrain);
        Assert.NotEmpty(outside.OtherErrors);

        var (_, missingBrace) = Closure(Quick.Replace("    dense(4)\n}", "    dense(4)\n"), "Quick");
        Assert.False(missingBrace.CanTrain);
    }

    [Fact]
    public void When_diagnostics_are_capped_every_error_blocks()
    {
        // Past the cap an error in the closure could go unreported: nothing may train then.
        var noise = string.Concat(Enumerable.Range(0, 1100).Select(i => $"network N{i} {{\n    input(1x8x8)\n    dense(2)\n}}\n"));
        var (analysis, closure) = Closure(noise + Quick, "Quick");
        Assert.False(analysis.IsComplete);
        Assert.False(closure.CanTrain);
        Assert.Empty(closure.OtherErrors);
    }

    [Fact]
    public void Every_training_of_the_examples_can_train()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Repo.Root, "examples"), "*.ann"))
        {
            var analysis = DocumentAnalysis.Analyze(File.ReadAllText(file));
            foreach (var train in analysis.Root.Declarations.OfType<TrainDeclarationSyntax>())
            {
                var closure = analysis.ClosureOf(train);
                Assert.True(closure.CanTrain, $"{file}: {train.Name.Text}");
                Assert.Same(train, closure.Declarations[0]);
                Assert.True(closure.Declarations.Count >= 2, $"{file}: {train.Name.Text} uses its network or gan");
            }
        }
    }
}
