using System.Reflection;
using Annlsp.Language.Diagnostics;

namespace Annlsp.Language.Tests;

/// <summary>Diagnostics are made in one place: every code has a factory in DiagnosticBuilder, and nothing else makes one.</summary>
public class DiagnosticBuilderTests
{
    private static readonly string Folder = Repo.PathOf("server", "Annlsp.Language", "Diagnostics");

    private static string BuilderSource() =>
        string.Join("\n", Directory.GetFiles(Folder, "DiagnosticBuilder*.cs").Order(StringComparer.Ordinal).Select(File.ReadAllText));

    public static TheoryData<string> Descriptors()
    {
        var data = new TheoryData<string>();
        foreach (var f in typeof(DiagnosticCatalog).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(DiagnosticDescriptor)))
            data.Add(f.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Descriptors))]
    public void Every_catalogued_code_has_a_factory_under_its_heading(string descriptor)
    {
        var code = ((DiagnosticDescriptor)typeof(DiagnosticCatalog).GetField(descriptor)!.GetValue(null)!).Code;
        string source = BuilderSource();
        Assert.True(source.Contains($"Make(DiagnosticCatalog.{descriptor},", StringComparison.Ordinal)
                    || source.Contains($"(DiagnosticCatalog.{descriptor}, \"", StringComparison.Ordinal),
            $"{code} ({descriptor}) has no factory in DiagnosticBuilder");
        Assert.Contains($"// {code}", source);
    }

    [Fact]
    public void Only_the_builder_makes_diagnostics()
    {
        var makers = Directory.GetFiles(Repo.PathOf("server"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !Path.GetFileName(f).StartsWith("DiagnosticBuilder", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f) is var s && (s.Contains("new Diagnostic(", StringComparison.Ordinal) || s.Contains("Diagnostics.Diagnostic(", StringComparison.Ordinal)))
            .Select(f => Path.GetRelativePath(Repo.Root, f)).ToList();
        Assert.True(makers.Count == 0, "Diagnostics made outside DiagnosticBuilder: " + string.Join(", ", makers));
    }

    [Fact]
    public void A_factory_carries_its_codes_severity_message_and_fix()
    {
        var d = DiagnosticBuilder.UnknownSchedule(new Text.TextSpan(10, 5), "cosin", "cosine", ["constant", "cosine", "onecycle"]);
        Assert.Equal("ANN2020", d.Code);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal("schedule expects constant, cosine or onecycle, but got cosin", d.Message);
        var edit = Assert.Single(Assert.Single(d.Fixes).Edits);
        Assert.Equal((new Text.TextSpan(10, 5), "cosine"), (edit.Span, edit.NewText));
    }
}
