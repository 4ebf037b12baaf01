using Annlsp.Training.Native;

namespace Annlsp.Training.Tests;

public class NativeTests
{
    private static string NuGetLibTorchDir() =>
        Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
            "libtorch-cpu-linux-x64", "2.10.0", "runtimes", "linux-x64", "native");

    private static string NuGetLibTorchSharp() =>
        Path.Combine(Path.GetDirectoryName(NuGetLibTorchDir().Replace("libtorch-cpu-linux-x64" + Path.DirectorySeparatorChar + "2.10.0", "torchsharp" + Path.DirectorySeparatorChar + "0.107.0"))!, "native", "libLibTorchSharp.so");

    [Fact]
    public void Patcher_marks_only_the_named_version_need_weak_and_is_idempotent()
    {
        var original = NuGetLibTorchSharp();
        Assert.True(File.Exists(original), original);
        var dir = TestSetup.TempDir("elf");
        var copy = Path.Combine(dir, "libLibTorchSharp.so");
        File.Copy(original, copy);
        var before = ElfVersionNeedPatcher.ReadVersionNeeds(File.ReadAllBytes(copy));
        var target = Assert.Single(before, n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", target.File);
        Assert.False(target.IsWeak);

        Assert.Equal(1, ElfVersionNeedPatcher.MarkWeakInFile(copy, TorchRuntime.WeakVersions));
        Assert.Equal(0, ElfVersionNeedPatcher.MarkWeakInFile(copy, TorchRuntime.WeakVersions)); // idempotent

        var a = File.ReadAllBytes(original);
        var b = File.ReadAllBytes(copy);
        Assert.Equal(a.Length, b.Length);
        var diffs = Enumerable.Range(0, a.Length).Where(i => a[i] != b[i]).ToArray();
        Assert.Equal([target.FlagsOffset], diffs); // exactly one byte (the flags' low byte) changed
        var after = ElfVersionNeedPatcher.ReadVersionNeeds(b);
        Assert.True(after.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
        Assert.All(after.Where(n => n.Version != "GLIBCXX_3.4.32"), n => Assert.Equal(before.Single(m => m.FlagsOffset == n.FlagsOffset).Flags, n.Flags));
    }

    [Fact]
    public void Patcher_rejects_non_elf_input()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.ReadVersionNeeds(new byte[128]));
    }

    [Fact]
    public void The_applications_own_copy_is_patched_and_TorchSharp_runs()
    {
        var copies = TorchRuntime.LibTorchSharpCandidates().ToList();
        Assert.NotEmpty(copies);
        foreach (var c in copies)
            Assert.True(ElfVersionNeedPatcher.ReadVersionNeeds(File.ReadAllBytes(c)).Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
        var info = TorchRuntime.Initialize(new TorchRuntimeOptions { Device = "cpu" });
        Assert.Equal("cpu", info.DeviceName);
        using var t = TorchSharp.torch.arange(6).reshape(2, 3);
        Assert.Equal(15L, t.sum().item<long>());
    }

    [Fact]
    public void External_LibTorch_folder_is_loaded_by_full_path_and_is_the_only_one_mapped()
    {
        var dir = NuGetLibTorchDir();
        var (code, stdout, stderr) = TestSetup.RunChild(["probe-libtorch", dir]);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("device=cpu", stdout);
        Assert.Contains($"source=external ({dir})", stdout);
        Assert.Contains("shape=4x2", stdout);
        var loaded = stdout.Split('\n').Where(l => l.StartsWith("loaded=")).Select(l => l[7..].Trim()).ToList();
        Assert.Equal([Path.Combine(dir, "libc10.so"), Path.Combine(dir, "libtorch_cpu.so"), Path.Combine(dir, "libtorch.so")], loaded);
        var mapped = stdout.Split('\n').Where(l => l.StartsWith("mapped=")).Select(l => l[7..].Trim()).ToList();
        Assert.Equal([Path.Combine(dir, "libtorch_cpu.so")], mapped);
    }

    [Fact]
    public void Environment_variable_names_the_LibTorch_folder_and_a_missing_one_is_a_clear_error()
    {
        var (code, stdout, stderr) = TestSetup.RunChild(["probe-libtorch", ""], env: new Dictionary<string, string> { ["ANNLSP_LIBTORCH"] = NuGetLibTorchDir() });
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("source=external", stdout);

        var missing = Path.Combine(Path.GetTempPath(), "no-such-libtorch-" + Guid.NewGuid().ToString("N"));
        var ex = Assert.Throws<TrainingException>(() => TorchRuntime.ResolveLibTorchDir(missing, "auto", out _));
        Assert.Contains(missing, ex.Message);
    }

    [Fact]
    public void Freed_tensor_memory_is_kept_unless_the_user_tuned_malloc()
    {
        var (code, stdout, stderr) = TestSetup.RunChild(["probe-libtorch", NuGetLibTorchDir()]);
        Assert.True(code == 0, stdout + stderr);
        // glibc accepted both values (it refuses an mmap threshold above 32 MiB: that would leave the defaults)
        Assert.Contains("allocator=freed memory kept (blocks up to 32 MiB from the heap, up to 1 GiB kept)", stdout);

        (code, stdout, stderr) = TestSetup.RunChild(["probe-libtorch", NuGetLibTorchDir()], env: new Dictionary<string, string> { ["MALLOC_ARENA_MAX"] = "2" });
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("allocator=as the environment sets it", stdout);
    }

    [Fact]
    public void A_cpu_only_python_torch_is_not_picked_for_auto()
    {
        // Debian's python3-torch (1.13, CPU) may be installed: it must never be chosen automatically.
        var dir = TorchRuntime.ResolveLibTorchDir(null, "auto", out var source);
        if (dir is not null) Assert.Contains("CUDA", source);
        Assert.Null(TorchRuntime.ResolveLibTorchDir("bundled", "auto", out _));
    }
}
