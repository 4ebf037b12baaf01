using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Annlsp.Training.Native;

/// <summary>Where LibTorch came from and which device training uses.</summary>
public sealed record TorchRuntimeInfo(string DeviceName, string LibTorchSource, string? LibTorchDir, IReadOnlyList<string> LoadedLibraries)
{
    public torch.Device Device => new(DeviceName);
}

/// <summary>How to start TorchSharp: an external LibTorch folder (or "python" to ask python3), and the device wanted.</summary>
public sealed record TorchRuntimeOptions
{
    /// <summary>A LibTorch `lib` folder (e.g. an installed PyTorch's `torch/lib`), "python" to ask python3, "bundled" to use the NuGet one. Null: `ANNLSP_LIBTORCH`, else automatic.</summary>
    public string? LibTorch { get; init; }
    /// <summary>auto, cpu, cuda, cuda:N.</summary>
    public string Device { get; init; } = "auto";
    /// <summary>
    /// The workspace (the .ann file's folder, the current folder; real paths): no python3 found there is run,
    /// and a PyTorch found there is not picked automatically — trusting a workspace is not consent to run its code.
    /// </summary>
    public IReadOnlyList<string> Workspace { get; init; } = [];
}

/// <summary>
/// The one place that prepares the native side before TorchSharp loads:
/// 1. marks the <c>GLIBCXX_3.4.32</c> version need of the application's own copy of
///    <c>libLibTorchSharp.so</c> weak (see <see cref="ElfVersionNeedPatcher"/>);
/// 2. loads exactly one LibTorch by full path, in dependency order, so the dynamic loader binds
///    TorchSharp's imports (by soname) to it: the bundled CPU one in <c>&lt;app&gt;/libtorch/</c>, or an
///    external one (an installed PyTorch's <c>torch/lib</c>, which is how CUDA is used: the mirror
///    serves no CUDA build of TorchSharp);
/// 3. picks the device, asking <c>torch.cuda.is_available()</c> before touching CUDA.
/// </summary>
public static class TorchRuntime
{
    public const string LibTorchEnvironmentVariable = "ANNLSP_LIBTORCH";
    public static readonly string[] WeakVersions = ["GLIBCXX_3.4.32"];
    /// <summary>Loaded in this order; the CUDA ones only when present.</summary>
    public static readonly string[] LibTorchLoadOrder = ["libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so"];
    private static readonly string[] RequiredLibraries = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];

    private static readonly object Gate = new();
    private static bool _nativePrepared;
    private static TorchRuntimeInfo? _info;
    private static (string? Dir, string Source, List<string> Loaded) _libtorch = (null, Bundled, new());
    private const string Bundled = "bundled (NuGet libtorch-cpu-linux-x64)";

    /// <summary>
    /// The CPU LibTorch shipped with the application, in <c>&lt;app&gt;/libtorch/</c> — deliberately not in
    /// <c>runtimes/linux-x64/native</c>, where TorchSharp would load it by full path next to an external one.
    /// </summary>
    public static string BundledLibTorchDir()
    {
        foreach (var baseDir in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(TorchRuntime).Assembly.Location) ?? "" })
        {
            var dir = Path.Combine(baseDir, "libtorch");
            if (File.Exists(Path.Combine(dir, "libtorch_cpu.so"))) return Path.GetFullPath(dir);
        }
        throw new TrainingException($"the bundled LibTorch was not found in {Path.Combine(AppContext.BaseDirectory, "libtorch")} (a broken build?); set {LibTorchEnvironmentVariable} to a LibTorch lib folder");
    }

    /// <summary>The application's copies of libLibTorchSharp.so (next to the app, or under runtimes/linux-x64/native).</summary>
    public static IEnumerable<string> LibTorchSharpCandidates()
    {
        var dirs = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "" }.Distinct();
        foreach (var dir in dirs)
        {
            if (string.IsNullOrEmpty(dir)) continue;
            foreach (var p in new[] { Path.Combine(dir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"), Path.Combine(dir, "libLibTorchSharp.so") })
                if (File.Exists(p)) yield return Path.GetFullPath(p);
        }
    }

    /// <summary>
    /// Step 1 and 2 only (no TorchSharp call): idempotent, safe to call from every entry point before
    /// any tensor is made. Returns the external LibTorch folder used, or null for the bundled one.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string? PrepareNative(string? libTorch = null, string device = "auto", IReadOnlyList<string>? workspace = null)
    {
        lock (Gate)
        {
            if (_nativePrepared) return _libtorch.Dir;
            if (OperatingSystem.IsLinux())
            {
                foreach (var lib in LibTorchSharpCandidates().Distinct())
                {
                    try { ElfVersionNeedPatcher.MarkWeakInFile(lib, WeakVersions); }
                    catch (UnauthorizedAccessException e)
                    {
                        throw new TrainingException($"Cannot patch {lib} (GLIBCXX_3.4.32 version need, see docs/training.md): {e.Message}. Make the application folder writable once, or run a copy of it.");
                    }
                }
                LimitOpenMpSpinning();
                KeepFreedTensorMemory();
                var dir = ResolveLibTorchDir(libTorch, device, out var source, workspace);
                LoadLibTorchFrom(dir ?? BundledLibTorchDir(), source, external: dir is not null);
            }
            _nativePrepared = true;
            return _libtorch.Dir;
        }
    }

    [DllImport("libc", EntryPoint = "setenv", SetLastError = true)]
    private static extern int SetEnv(string name, string value, int overwrite);

    /// <summary>
    /// LibTorch's OpenMP threads spin up to 300,000 iterations waiting for work. On a busy machine (other
    /// processes, parallel tests) a spinning thread holds a core the other thread needs, and LeNet on 2
    /// cores ran at 241–373 img/s instead of about 3,900 (measured). A short spin (GOMP_SPINCOUNT=1000)
    /// keeps the idle-machine speed and removes the collapse. Set in the native environment (libgomp
    /// reads it when it loads), only when the user has set neither variable.
    /// </summary>
    private static void LimitOpenMpSpinning()
    {
        if (Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is null && Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null)
        {
            _ = SetEnv("GOMP_SPINCOUNT", "1000", 0); // on failure libgomp keeps its default spin: slower, not wrong
            Environment.SetEnvironmentVariable("GOMP_SPINCOUNT", "1000");
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);

    private const int MallocTrimThreshold = -1, MallocMmapThreshold = -3; // glibc's M_TRIM_THRESHOLD, M_MMAP_THRESHOLD

    /// <summary>
    /// A training step frees and reallocates the same large activations (megabytes each) every step. With
    /// glibc's defaults, freed memory goes back to the kernel (munmap, heap trimming) and comes back as fresh
    /// zeroed pages: a diffusion U-Net step at batch 128 took about 900,000 page faults per 10 seconds against
    /// 130,000 with the memory kept, and about 10 % of the CPU time went to the kernel. Keeping up to 1 GiB of
    /// freed memory (and serving blocks up to 32 MiB, glibc's largest, from the heap) trades a
    /// training process's resident size after its peak for that time. Not done when the user has tuned
    /// malloc (MALLOC_* or GLIBC_TUNABLES); on a C library without mallopt nothing changes.
    /// </summary>
    private static void KeepFreedTensorMemory()
    {
        if (Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is not null
            || Environment.GetEnvironmentVariables().Keys.OfType<string>().Any(n => n.StartsWith("MALLOC_", StringComparison.Ordinal)))
        {
            Allocator = "as the environment sets it (MALLOC_* or GLIBC_TUNABLES)";
            return;
        }
        try
        {
            // mallopt returns 1 when glibc takes the value (it refuses an mmap threshold above 32 MiB)
            Allocator = MallOpt(MallocMmapThreshold, 32 << 20) == 1 && MallOpt(MallocTrimThreshold, 1 << 30) == 1
                ? "freed memory kept (blocks up to 32 MiB from the heap, up to 1 GiB kept)"
                : "C library defaults (mallopt refused the values)";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Allocator = "C library defaults (no mallopt)";
        }
    }

    /// <summary>How this process's malloc treats freed tensor memory (see <see cref="KeepFreedTensorMemory"/>); set when the native side is prepared.</summary>
    public static string Allocator { get; private set; } = "C library defaults";

    /// <summary>Prepares the native side and picks the device. Throws <see cref="TrainingException"/> for an unavailable CUDA device.</summary>
    public static TorchRuntimeInfo Initialize(TorchRuntimeOptions? options = null)
    {
        options ??= new TorchRuntimeOptions();
        PrepareNative(options.LibTorch, options.Device, options.Workspace);
        return PickDevice(options.Device);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TorchRuntimeInfo PickDevice(string device)
    {
        lock (Gate)
        {
            bool cuda = torch.cuda.is_available(); // must precede any use of torch.CUDA
            string name = device switch
            {
                "auto" or "" => cuda ? "cuda" : "cpu",
                "cpu" => "cpu",
                _ when device == "cuda" || device.StartsWith("cuda:", StringComparison.Ordinal) =>
                    cuda ? device : throw new TrainingException(
                        $"device '{device}' was asked for, but TorchSharp sees no CUDA GPU (LibTorch: {_libtorch.Source}). " +
                        $"CUDA needs a CUDA LibTorch: set {LibTorchEnvironmentVariable} (or --libtorch) to an installed PyTorch's torch/lib folder, or use device: auto / cpu."),
                _ => throw new TrainingException($"unknown device '{device}' (expected auto, cpu, cuda or cuda:N)"),
            };
            if (name.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(name[5..], out var idx) && idx >= torch.cuda.device_count())
                throw new TrainingException($"device '{name}' was asked for, but only {torch.cuda.device_count()} CUDA device(s) are visible");
            _info = new TorchRuntimeInfo(name, _libtorch.Source, _libtorch.Dir, _libtorch.Loaded.ToArray());
            return _info;
        }
    }

    /// <summary>
    /// Explicit folder (option or <c>ANNLSP_LIBTORCH</c>) wins; "python" asks python3; "bundled" or "none"
    /// keeps the NuGet LibTorch. Without either, and when a GPU may be wanted, a CUDA build of PyTorch
    /// (version ≥ 2) found by python3 is used — unless it lies inside the workspace; a CPU-only PyTorch
    /// (such as Debian's 1.13) is ignored. <paramref name="source"/> says which one, and from where.
    /// </summary>
    public static string? ResolveLibTorchDir(string? setting, string device, out string source, IReadOnlyList<string>? workspace = null)
    {
        source = Bundled;
        workspace ??= [];
        string? value = string.IsNullOrWhiteSpace(setting) ? Environment.GetEnvironmentVariable(LibTorchEnvironmentVariable) : setting;
        if (!string.IsNullOrWhiteSpace(value))
        {
            if (value is "bundled" or "none") return null;
            if (value == "python")
            {
                var found = FindPythonTorch(workspace) ?? throw new TrainingException(
                    "LibTorch 'python' was asked for, but `python3 -I` (outside the workspace) found no PyTorch (pip install torch, or name its torch/lib folder)");
                source = $"PyTorch {found.Version} ({found.Python}: {found.LibDir})";
                return found.LibDir;
            }
            var dir = Path.GetFullPath(value);
            if (!Directory.Exists(dir))
                throw new TrainingException($"LibTorch folder '{dir}' (from {(setting is null ? LibTorchEnvironmentVariable : "--libtorch")}) does not exist; name an installed PyTorch's torch/lib folder");
            source = $"external ({dir})";
            return dir;
        }
        if (device == "cpu") return null;
        var py = FindPythonTorch(workspace);
        if (py is { Cuda: not null } && py.Major >= 2 && File.Exists(Path.Combine(py.LibDir, "libtorch_cuda.so")))
        {
            var real = RealPaths.Resolve(py.LibDir);
            if (workspace.FirstOrDefault(w => RealPaths.IsInside(real, w)) is { } inside)
            {
                source = $"{Bundled}; not PyTorch {py.Version} CUDA {py.Cuda} at {py.LibDir}: it lies inside the workspace {inside} (name it with --libtorch or {LibTorchEnvironmentVariable} to use it)";
                return null;
            }
            source = $"PyTorch {py.Version} CUDA {py.Cuda} ({py.Python}: {py.LibDir})";
            return py.LibDir;
        }
        return null;
    }

    public sealed record PythonTorch(string LibDir, string Version, string? Cuda, string Python)
    {
        public int Major => int.TryParse(Version.Split('.')[0], out var m) ? m : 0;
    }

    /// <summary>
    /// The first executable <paramref name="name"/> in an absolute PATH folder outside the workspace. Not
    /// Process.Start's own lookup: it tries the current folder (the workspace, under the editor) before PATH.
    /// </summary>
    public static string? FindOnPath(string name, IReadOnlyList<string> workspace)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (!Path.IsPathRooted(dir)) continue; // "" and "." mean the current folder
            var candidate = Path.Combine(dir, name);
            if (!File.Exists(candidate)) continue;
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0) continue;
            var realDir = RealPaths.Resolve(dir);
            if (workspace.Any(w => RealPaths.IsInside(realDir, w))) continue;
            return candidate;
        }
        return null;
    }

    /// <summary>
    /// Finds an installed PyTorch through python3 without importing it (fast): its torch/lib folder, version
    /// and CUDA version. python3 runs isolated (`-I`: no current folder or script folder on sys.path, no
    /// PYTHON* variables, no user site) from the root folder, so nothing in the workspace is imported.
    /// </summary>
    public static PythonTorch? FindPythonTorch(IReadOnlyList<string>? workspace = null, string name = "python3")
    {
        var python = FindOnPath(name, workspace ?? []);
        if (python is null) return null;
        try
        {
            var psi = new ProcessStartInfo(python, ["-I", "-c", "import importlib.util as u,os;s=u.find_spec('torch');print(os.path.dirname(s.origin) if s and s.origin else '')"])
            { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
            using var p = Process.Start(psi);
            if (p is null) return null;
            var output = p.StandardOutput.ReadToEnd().Trim();
            p.StandardError.ReadToEnd();
            if (!p.WaitForExit(20_000) || p.ExitCode != 0 || output.Length == 0) return null;
            var lib = Path.Combine(output, "lib");
            string version = "?"; string? cuda = null;
            var versionFile = Path.Combine(output, "version.py");
            if (File.Exists(versionFile))
            {
                foreach (var line in File.ReadLines(versionFile))
                {
                    var t = line.Trim();
                    if (t.StartsWith("__version__", StringComparison.Ordinal)) version = Quoted(t) ?? version;
                    else if (t.StartsWith("cuda", StringComparison.Ordinal) && !t.StartsWith("cuda_", StringComparison.Ordinal)) cuda = Quoted(t);
                }
            }
            return Directory.Exists(lib) ? new PythonTorch(lib, version, cuda, python) : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }

        static string? Quoted(string line)
        {
            int a = line.IndexOfAny(['\'', '"']);
            if (a < 0) return null;
            int b = line.IndexOf(line[a], a + 1);
            return b > a ? line[(a + 1)..b] : null;
        }
    }

    private static void LoadLibTorchFrom(string dir, string source, bool external)
    {
        foreach (var req in RequiredLibraries)
            if (!File.Exists(Path.Combine(dir, req)))
                throw new TrainingException($"LibTorch folder '{dir}' has no {req}; name the `lib` folder of a LibTorch or of an installed PyTorch (…/site-packages/torch/lib)");
        if (external)
        {
            // Child processes see the same external LibTorch; existing entries (the driver's folder) stay.
            var old = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
            if (old is null || !old.Split(':').Contains(dir))
                Environment.SetEnvironmentVariable("LD_LIBRARY_PATH", string.IsNullOrEmpty(old) ? dir : $"{dir}:{old}");
        }
        var loaded = new List<string>();
        foreach (var name in LibTorchLoadOrder)
        {
            var path = Path.Combine(dir, name);
            if (!File.Exists(path)) continue;
            try { NativeLibrary.Load(path); }
            catch (Exception e) { throw new TrainingException($"could not load {path}: {e.Message}"); }
            loaded.Add(path);
        }
        _libtorch = (dir, source, loaded);
    }
}
