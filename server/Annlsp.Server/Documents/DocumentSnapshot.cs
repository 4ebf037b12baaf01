using Annlsp.Language.Text;

namespace Annlsp.Server.Documents;

/// <summary>One version of an open document. Immutable; its analysis is computed at most once, off the RPC thread.</summary>
public sealed partial class DocumentSnapshot
{
    public DocumentSnapshot(string uri, int version, SourceText text)
    {
        Uri = uri;
        Version = version;
        Text = text;
        InitAnalysis();
    }

    public string Uri { get; }
    public int Version { get; }
    public SourceText Text { get; }

    partial void InitAnalysis();

    public override string ToString() => $"{Uri} v{Version}";
}
