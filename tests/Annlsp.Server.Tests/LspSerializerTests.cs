using Annlsp.Server.Documents;
using Annlsp.Server.Handlers;
using Annlsp.Server.Protocol;
using Annlsp.Server.Transport;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using StreamJsonRpc;
using Range = Annlsp.Server.Protocol.Range;

namespace Annlsp.Server.Tests;

/// <summary>
/// The precompiled writers (<see cref="LspSerializer.ForWire"/>) must put on the wire exactly the JSON that the
/// Newtonsoft serializer configured by <see cref="LspSerializer.Configure"/> writes for the same message: same
/// names, same order, same omitted nulls, same values (escaping may differ only where JSON allows both).
/// </summary>
public class LspSerializerTests
{
    private static readonly JsonSerializer Reflective = CreateNewtonsoft();

    private static JsonSerializer CreateNewtonsoft()
    {
        var serializer = JsonSerializer.Create();
        LspSerializer.Configure(serializer);
        return serializer;
    }

    /// <summary>Both serializations, parsed and written back the same way: equal strings mean equal JSON, member order included.</summary>
    private static (string Expected, string Actual) Both(object message)
    {
        var wire = LspSerializer.ForWire(message);
        var parsed = Assert.IsType<JObject>(wire);
        string expected = JToken.FromObject(message, Reflective).ToString(Newtonsoft.Json.Formatting.None);
        string actual = parsed.ToString(Newtonsoft.Json.Formatting.None);
        return (expected, actual);
    }

    /// <summary>Text with everything JSON escapes or may escape: quotes, backslash, control characters, HTML-sensitive and non-ASCII characters, a surrogate pair.</summary>
    private const string AwkwardText = "dense(10) → 16×7×7 <\"quoted\"> 'a' & b\\c\ttab\nline\u0001\u2028 é 🙂";

    public static TheoryData<string> DiagnosticsMessages() => new()
    {
        "empty",
        "full",
        "no-version",
    };

    private static PublishDiagnosticsParams Diagnostics(string which) => which switch
    {
        "empty" => new PublishDiagnosticsParams("file:///a.ann", new List<Diagnostic>(), 3),
        "no-version" => new PublishDiagnosticsParams("file:///a%20b.ann", new List<Diagnostic> { new() { Message = "m" } }),
        _ => new PublishDiagnosticsParams("file:///dir/é.ann", new List<Diagnostic>
        {
            new()
            {
                Range = new Range(new Position(1, 2), new Position(3, 4)),
                Severity = DiagnosticSeverity.Warning,
                Code = "ANN5001",
                CodeDescription = new CodeDescription("https://example.org/ANN5001"),
                Source = "annlsp",
                Message = AwkwardText,
                Tags = new List<int> { DiagnosticTag.Unnecessary },
                RelatedInformation = new List<DiagnosticRelatedInformation>
                {
                    new(new Location("file:///dir/é.ann", new Range(new Position(0, 0), new Position(0, 5))), "the input is here"),
                },
            },
            new() { Severity = DiagnosticSeverity.Error, Message = "second", Code = "ANN3001" },
        }, 12),
    };

    [Theory]
    [MemberData(nameof(DiagnosticsMessages))]
    public void PublishDiagnostics_is_written_as_Newtonsoft_writes_it(string which)
    {
        var (expected, actual) = Both(Diagnostics(which));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void LogMessage_is_written_as_Newtonsoft_writes_it()
    {
        var (expected, actual) = Both(new LogMessageParams(MessageType.Warning, AwkwardText));
        Assert.Equal(expected, actual);
    }

    /// <summary>The capabilities the server really declares (every handler's part), so a capability added later is covered too.</summary>
    [Fact]
    public void The_initialize_result_is_written_as_Newtonsoft_writes_it()
    {
        var session = new ServerSession(new JsonRpc(Stream.Null), new ServerOptions(), new DocumentStore((uri, version, text) => new DocumentSnapshot(uri, version, text)));
        var capabilities = new ServerCapabilities { PositionEncoding = "utf-16" };
        foreach (var handler in HandlerRegistry.Create(session)) handler.Contribute(capabilities);
        var result = new InitializeResult { Capabilities = capabilities, ServerInfo = new ServerInfo("annlsp", "1.2.3") };
        var (expected, actual) = Both(result);
        Assert.Equal(expected, actual);
        // not vacuous: the capabilities are there
        Assert.Contains("\"completionProvider\"", actual);
        Assert.Contains("\"semanticTokensProvider\"", actual);
    }

    [Fact]
    public void Other_messages_are_left_to_Newtonsoft()
    {
        var hover = new Hover(new MarkupContent("markdown", "x"));
        Assert.Same(hover, LspSerializer.ForWire(hover));
        Assert.Null(LspSerializer.ForWire(null));
    }
}
