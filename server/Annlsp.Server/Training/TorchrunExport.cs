using System.Diagnostics;
using Annlsp.Server.Documents;
using Annlsp.Server.Protocol;
using Annlsp.Server.Transport;
using Newtonsoft.Json.Linq;

namespace Annlsp.Server.Training;

/// <summary>
/// `annlsp.exportTorchrun` [uri, target]: writes the training's torchrun package (docs/torchrun.md) into
/// <c>torchrun/&lt;target&gt;/</c> beside the .ann file, by running `annlsp export FILE --target T --torchrun --out DIR --stdin`
/// with the open document's text (saved or not). Returns {folder, readme, files}; the editor opens the README.
/// </summary>
public sealed class TorchrunExport(ServerSession session)
{
    public const string Folder = "torchrun";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    /// <summary>The package folder of a training: torchrun/&lt;target&gt; ("LeNet5 as quick" → LeNet5-quick) next to the file.</summary>
    public static string PackageDir(string file, string target) =>
        Path.Combine(Path.GetDirectoryName(file)!, Folder, string.Concat(target.Replace(" as ", "-").Select(ch => char.IsLetterOrDigit(ch) || ch is '_' or '-' or '.' ? ch : '-')));

    public async Task<JObject> ExportAsync(string uri, string target)
    {
        if (!session.Options.TrainingEnabled)
            throw LspException.RequestFailed("exporting for torchrun is disabled: the workspace is not trusted");
        var file = DocumentUri.LocalPath(uri) ?? throw LspException.InvalidParams($"only file: documents can be exported, not {uri}");
        string? text = session.Documents.TryGet(uri, out var snapshot) ? snapshot.Text.Text : null;
        if (text is null && !File.Exists(file)) throw LspException.RequestFailed($"{file} is neither open nor on disk");
        if (text?.IndexOf('\0') is >= 0) throw LspException.RequestFailed("the document has a NUL character (U+0000); remove it to export");
        var command = TrainerLocator.Find(session.Options)
            ?? throw LspException.RequestFailed("the trainer (`annlsp`) was not found: set initializationOptions.trainerCommand or ANNLSP_TRAINER");
        var outDir = PackageDir(file, target);

        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            StandardInputEncoding = new System.Text.UTF8Encoding(false), UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(file)!,
        };
        foreach (var arg in command.Skip(1)) start.ArgumentList.Add(arg);
        foreach (var (key, value) in session.Options.TrainerEnvironment) start.Environment[key] = value;
        foreach (var arg in new[] { "export", file, "--target", target, "--torchrun", "--out", outDir }) start.ArgumentList.Add(arg);
        if (text is not null) start.ArgumentList.Add("--stdin");
        Process process;
        try { process = Process.Start(start) ?? throw new InvalidOperationException("no process"); }
        catch (Exception e) { throw LspException.RequestFailed($"could not start the trainer ({string.Join(' ', command)}): {e.Message}"); }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            try
            {
                if (text is not null) await process.StandardInput.WriteAsync(text + "\0");
                process.StandardInput.Close();
            }
            catch (IOException) { } // it exited early; its stderr says why
            using var limit = new CancellationTokenSource(Limit);
            try { await process.WaitForExitAsync(limit.Token); }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); } catch (Exception) { }
                throw LspException.RequestFailed($"annlsp export --torchrun did not finish within {Limit.TotalSeconds:0} s");
            }
            var files = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (process.ExitCode != 0 || files.Length == 0)
            {
                var reason = string.Join(" ", (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));
                throw LspException.RequestFailed($"exporting {target} for torchrun failed: {(reason.Length > 0 ? reason : $"exit code {process.ExitCode}")}");
            }
            session.Log(MessageType.Info, $"exported {target} for torchrun: {outDir} ({files.Length} files)");
            return new JObject { ["target"] = target, ["folder"] = outDir, ["readme"] = files[0], ["files"] = new JArray(files) };
        }
    }
}
