namespace Annlsp.Server.Documents;

/// <summary>
/// One spelling per file: `file:` URIs that name the same path — `/./`, `//`, `..`, percent-escapes of plain characters
/// (`%6Cong.ann`), `file://localhost/` — normalise to the same string. The document store and the training guard
/// (one run per document and target) key on it; what is sent back to the client keeps the client's own spelling.
/// Other URIs (`untitled:`, …) are returned unchanged.
/// </summary>
public static class DocumentUri
{
    public static string Normalize(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || !parsed.IsFile || parsed.IsUnc) return uri;
        try
        {
            return new Uri(Path.GetFullPath(parsed.LocalPath)).AbsoluteUri;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException or UriFormatException)
        {
            return uri;
        }
    }

    /// <summary>Compares URIs by their normal form.</summary>
    public static IEqualityComparer<string> Comparer { get; } = new NormalizingComparer();

    private sealed class NormalizingComparer : IEqualityComparer<string>
    {
        public bool Equals(string? x, string? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null && (x == y || Normalize(x) == Normalize(y)));

        public int GetHashCode(string uri) => StringComparer.Ordinal.GetHashCode(Normalize(uri));
    }
}
