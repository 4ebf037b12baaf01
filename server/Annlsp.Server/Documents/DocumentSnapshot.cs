using Annlsp.Language.Text;

namespace Annlsp.Server.Documents;

/// <summary>How much of the server a document gets, by its length (<see cref="ServerOptions.LargeDocumentLimit"/>, <see cref="ServerOptions.AnalysisLimit"/>).</summary>
public enum DocumentSize
{
    /// <summary>Every feature.</summary>
    Normal,
    /// <summary>Analysed (diagnostics, hover, completion, navigation), but no document-wide answers.</summary>
    Large,
    /// <summary>Not analysed: only text synchronisation and the diagnostic that says so.</summary>
    TooLargeToAnalyse,
}

/// <summary>One version of an open document. Immutable; its analysis is computed at most once, off the RPC thread.</summary>
public sealed partial class DocumentSnapshot
{
    public DocumentSnapshot(string uri, int version, SourceText text, ServerOptions? limits = null)
    {
        Uri = uri;
        Version = version;
        Text = text;
        limits ??= new ServerOptions();
        Size = text.Length > limits.AnalysisLimit ? DocumentSize.TooLargeToAnalyse
            : text.Length > limits.LargeDocumentLimit ? DocumentSize.Large
            : DocumentSize.Normal;
        InitAnalysis();
    }

    public DocumentSize Size { get; }

    /// <summary>False for a document too large for the document-wide answers (outline, tokens, folding, hints, lenses, formatting).</summary>
    public bool HasDocumentWideFeatures => Size == DocumentSize.Normal;

    public string Uri { get; }
    public int Version { get; }
    public SourceText Text { get; }

    partial void InitAnalysis();

    public override string ToString() => $"{Uri} v{Version}";
}
