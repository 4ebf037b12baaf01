namespace Annlsp.Cli.Commands;

/// <summary>Reading a .ann file named on the command line, with the one message every command gives when it cannot.</summary>
internal static class SourceFile
{
    /// <summary>The file's text, or null after telling stderr why it could not be read.</summary>
    public static string? TryRead(string path, TextWriter stderr)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            stderr.WriteLine($"annlsp: cannot read '{path}': {e.Message}");
            return null;
        }
    }
}
