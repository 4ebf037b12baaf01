using System.Buffers.Binary;
using System.Text;

namespace Annlsp.Training.Native;

/// <summary>
/// Marks chosen symbol-version needs of an ELF64 shared library as weak.
///
/// Why: TorchSharp 0.107.0's <c>libLibTorchSharp.so</c> records a version need <c>GLIBCXX_3.4.32</c>
/// (for a symbol it never binds). Debian 12's libstdc++ stops at GLIBCXX_3.4.30, so the dynamic
/// loader refuses the whole library and TorchSharp reports the misleading "doesn't contain a
/// reference to libtorch-cpu-linux-x64". A version need flagged <c>VER_FLG_WEAK</c> (0x2) in
/// <c>.gnu.version_r</c> is only checked when present, so flagging that one entry makes the library
/// load, and every symbol it really uses still resolves against the real libstdc++.
///
/// Layout (ELF64, little endian): section <c>SHT_GNU_verneed</c> (0x6ffffffe) holds a chain of
/// Elf64_Verneed {u16 vn_version, u16 vn_cnt, u32 vn_file, u32 vn_aux, u32 vn_next}, each with a chain
/// of Elf64_Vernaux {u32 vna_hash, u16 vna_flags, u16 vna_other, u32 vna_name, u32 vna_next};
/// names are offsets into the string table named by the section's sh_link.
/// </summary>
public static class ElfVersionNeedPatcher
{
    public const ushort VerFlagWeak = 0x2;
    private const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>One version need found in the file.</summary>
    public sealed record VersionNeed(string File, string Version, ushort Flags, int FlagsOffset)
    {
        public bool IsWeak => (Flags & VerFlagWeak) != 0;
    }

    /// <summary>Lists the version needs of an ELF64 little-endian image.</summary>
    public static IReadOnlyList<VersionNeed> ReadVersionNeeds(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported");

        ulong shoff = U64(elf, 0x28);
        int shentsize = U16(elf, 0x3A), shnum = U16(elf, 0x3C);
        var result = new List<VersionNeed>();
        for (int i = 0; i < shnum; i++)
        {
            int sh = Checked(shoff + (ulong)(i * shentsize), 64, elf.Length);
            if (U32(elf, sh + 4) != ShtGnuVerneed) continue;
            int secOffset = Checked(U64(elf, sh + 24), 0, elf.Length);
            int link = (int)U32(elf, sh + 40);
            int strSh = Checked(shoff + (ulong)(link * shentsize), 64, elf.Length);
            int strOffset = Checked(U64(elf, strSh + 24), 0, elf.Length);

            int need = secOffset;
            for (int guard = 0; guard < 10_000; guard++)
            {
                Checked((ulong)need, 16, elf.Length);
                int cnt = U16(elf, need + 2);
                string file = CString(elf, strOffset + (int)U32(elf, need + 4));
                int aux = need + (int)U32(elf, need + 8);
                for (int k = 0; k < cnt; k++)
                {
                    Checked((ulong)aux, 16, elf.Length);
                    ushort flags = (ushort)U16(elf, aux + 4);
                    string name = CString(elf, strOffset + (int)U32(elf, aux + 8));
                    result.Add(new VersionNeed(file, name, flags, aux + 4));
                    uint nextAux = U32(elf, aux + 12);
                    if (nextAux == 0) break;
                    aux += (int)nextAux;
                }
                uint next = U32(elf, need + 12);
                if (next == 0) break;
                need += (int)next;
            }
        }
        return result;
    }

    /// <summary>Sets VER_FLG_WEAK on every need whose version is in <paramref name="versions"/>. Returns how many changed.</summary>
    public static int MarkWeak(Span<byte> elf, IReadOnlyCollection<string> versions)
    {
        int changed = 0;
        foreach (var need in ReadVersionNeeds(elf))
        {
            if (!versions.Contains(need.Version) || need.IsWeak) continue;
            BinaryPrimitives.WriteUInt16LittleEndian(elf.Slice(need.FlagsOffset, 2), (ushort)(need.Flags | VerFlagWeak));
            changed++;
        }
        return changed;
    }

    /// <summary>
    /// Patches the file in place, atomically (a patched copy next to it, then a rename over it), and
    /// only when something needs to change: running it again is a no-op. Returns how many needs changed.
    /// </summary>
    public static int MarkWeakInFile(string path, IReadOnlyCollection<string> versions)
    {
        var bytes = File.ReadAllBytes(path);
        int changed = MarkWeak(bytes, versions);
        if (changed == 0) return 0;
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllBytes(temp, bytes);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return changed;
    }

    private static int Checked(ulong offset, int size, int length)
    {
        if (offset > (ulong)(length - size)) throw new InvalidDataException("truncated or corrupt ELF file");
        return (int)offset;
    }

    private static int U16(ReadOnlySpan<byte> b, int o) => BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(o, 2));
    private static uint U32(ReadOnlySpan<byte> b, int o) => BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(o, 4));
    private static ulong U64(ReadOnlySpan<byte> b, int o) => BinaryPrimitives.ReadUInt64LittleEndian(b.Slice(o, 8));

    private static string CString(ReadOnlySpan<byte> b, int o)
    {
        Checked((ulong)o, 1, b.Length);
        int end = b[o..].IndexOf((byte)0);
        if (end < 0) throw new InvalidDataException("unterminated string in ELF string table");
        return Encoding.ASCII.GetString(b.Slice(o, end));
    }
}
