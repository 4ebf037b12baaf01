namespace Annlsp.Server.Documents;

/// <summary>
/// One spelling per file: `file:` URIs that name the same path — `/./`, `//`, `..`, percent-escapes of plain characters
/// (`%6Cong.ann`), `file://localhost/` — normalise to the same string. The document store and the training guard
/// (one run per document and target) key on it; what is sent back to the client keeps the client's own spelling.
/// Other URIs (`untitled:`, a share on another host, …) are returned unchanged.
/// </summary>
public static class DocumentUri
{
    public static string Normalize(string uri)
    {
        // Every document request looks its URI up (about 13 µs to parse and rebuild): remember the few in use.
        if (Recent.TryGetValue(uri, out var known)) return known;
        var normal = LocalPath(uri) is { } path ? new Uri(path).AbsoluteUri : uri;
        if (Recent.Count >= RecentLimit) Recent.Clear();   // bounded whatever a client sends
        Recent[uri] = normal;
        return normal;
    }

    private const int RecentLimit = 1024;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Recent = new(StringComparer.Ordinal);

    /// <summary>The full local path of a `file:` URI (dot segments and doubled separators resolved), else null.</summary>
    public static string? LocalPath(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || !parsed.IsFile) return null;
        // file://localhost/p is file:///p; another host is a share this machine does not name with a local path.
        if (parsed.IsUnc && !parsed.IsLoopback) return null;
        try
        {
            return Path.GetFullPath(parsed.IsUnc ? Uri.UnescapeDataString(parsed.AbsolutePath) : parsed.LocalPath);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
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
