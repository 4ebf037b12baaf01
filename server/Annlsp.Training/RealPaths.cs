namespace Annlsp.Training;

/// <summary>
/// Where a path really leads: every existing component's symbolic links resolved, as the kernel does
/// (path_resolution(7)), so "is it inside?" is decided on the folder that is really written or read —
/// comparing text lets `linkout → /outside` through.
/// </summary>
public static class RealPaths
{
    /// <summary>Linux's limit on links followed in one lookup (ELOOP beyond it).</summary>
    private const int MaxLinks = 40;

    /// <summary>
    /// The real absolute path of <paramref name="path"/>. It is first made absolute and normalised as .NET
    /// does before any file call (so `a/sub/../b` is `a/b`, which is what gets created); components that do
    /// not exist yet are kept as written.
    /// </summary>
    public static string Resolve(string path)
    {
        var pending = new List<string>(Components(Path.GetFullPath(path)));
        var current = "/";
        int links = 0;
        while (pending.Count > 0)
        {
            var part = pending[0];
            pending.RemoveAt(0);
            if (part is "" or ".") continue;
            if (part == "..") { current = Path.GetDirectoryName(current) ?? "/"; continue; }
            var candidate = Path.Join(current, part);
            var target = LinkTarget(candidate);
            if (target is null) { current = candidate; continue; }
            if (++links > MaxLinks) throw new TrainingException($"{path}: too many levels of symbolic links (a link loop?)");
            if (Path.IsPathRooted(target)) current = "/";
            pending.InsertRange(0, Components(target));
        }
        return current;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies below it (both real, absolute).</summary>
    public static bool IsInside(string path, string folder)
    {
        var root = folder.TrimEnd('/');
        return path == root || root.Length == 0 || path.StartsWith(root + "/", StringComparison.Ordinal);
    }

    /// <summary>
    /// The workspace as the trainer knows it, real paths: the current folder (the editor starts the trainer
    /// in the workspace folder) and the folder of the .ann file.
    /// </summary>
    public static IReadOnlyList<string> Workspace(string? sourcePath)
    {
        var folders = new List<string> { Resolve(Directory.GetCurrentDirectory()) };
        if (sourcePath is not null) folders.Add(Resolve(Path.GetDirectoryName(Path.GetFullPath(sourcePath)) ?? "."));
        return folders.Distinct().ToList();
    }

    private static string? LinkTarget(string path)
    {
        try { return new FileInfo(path).LinkTarget; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static string[] Components(string path) => path.Split('/');
}
