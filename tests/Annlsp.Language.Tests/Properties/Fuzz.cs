using System.Text;
using Annlsp.Language.Semantics;
using Annlsp.Language.Tests.Differential;

namespace Annlsp.Language.Tests.Properties;

/// <summary>Seeded generators of valid programs, edited programs, token soup, random text and random bytes.</summary>
internal static class Fuzz
{
    /// <summary>ANNLSP_FUZZ_COUNT: total fuzzed inputs of one run (10,000 by default; scripts/fuzz-long.sh uses ≥ 100,000).</summary>
    public static int TotalCount { get; } =
        int.TryParse(System.Environment.GetEnvironmentVariable("ANNLSP_FUZZ_COUNT"), out int n) && n > 0 ? n : 10_000;

    /// <summary>The share of <see cref="TotalCount"/> one property runs (shares sum to 1).</summary>
    public static int Share(double fraction) => Math.Max(1, (int)Math.Round(TotalCount * fraction));

    /// <summary>ANNLSP_FUZZ_SEED: CsCheck's seed to replay a failure (CsCheck prints it).</summary>
    public static string? Seed => System.Environment.GetEnvironmentVariable("ANNLSP_FUZZ_SEED") is { Length: > 0 } s ? s : null;

    // ── Corpus ───────────────────────────────────────────────────────────────────

    private static readonly Lazy<string[]> CorpusFiles = new(() =>
        new[] { "examples", "examples/mistakes", "tests/cases" }
            .Select(d => Repo.PathOf(d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.GetFiles(d, "*.ann"))
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllText)
            .ToArray());

    /// <summary>The examples, the mistakes and the test cases of the repository.</summary>
    public static IReadOnlyList<string> Corpus => CorpusFiles.Value;

    private static readonly Lazy<(string Name, string Text, string[] Codes)[]> MistakeFiles = new(() =>
        Directory.GetFiles(Repo.PathOf("examples", "mistakes"), "*.ann")
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), File.ReadAllText(f)))
            .Select(t => (t.Item1, t.Item2, System.Text.RegularExpressions.Regex.Matches(t.Item2, @"#\s*expect:\s*(ANN\d{4}(\s*,\s*ANN\d{4})*)")
                .SelectMany(m => m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries)).Distinct().ToArray()))
            .Where(t => t.Item3.Length > 0)
            .ToArray());

    /// <summary>examples/mistakes/*.ann with the codes their `# expect:` lines name.</summary>
    public static IReadOnlyList<(string Name, string Text, string[] Codes)> Mistakes => MistakeFiles.Value;

    // ── Valid programs ───────────────────────────────────────────────────────────

    private static readonly string[] DataSets = ["fashion_mnist", "shapes", "mnist(\"data/mnist\")", "cifar10(\"data/cifar\")", "images(\"pics\", size: 28x28, channels: 1)"];

    /// <summary>A whole file: generated networks with their blocks, a gan and trains.</summary>
    public static string ValidProgram(int seed)
    {
        var rng = new Random(seed);
        var generator = new NetworkGenerator(seed);
        var sb = new StringBuilder();
        var names = new List<string>();
        int count = rng.Next(1, 5);
        for (int i = 0; i < count; i++)
        {
            var net = generator.Generate((seed & 0x7fffffff) % 100_000 * 10 + i);
            sb.Append(net.Text).Append('\n');
            names.Add(net.Name);
        }
        if (rng.Next(3) == 0)
        {
            sb.Append("""
                network GenQ { input(100) dense(128 * 7 * 7) -> batchnorm -> relu reshape(128x7x7)
                    deconv(64, kernel: 4, stride: 2, padding: 1) -> batchnorm -> relu
                    deconv(1, kernel: 4, stride: 2, padding: 1) -> tanh }
                network DiscQ { input(1x28x28) conv(64, kernel: 4, stride: 2, padding: 1) -> leakyrelu(0.2) flatten dense(1) }
                gan PairQ { generator: GenQ, discriminator: DiscQ }
                train PairQ { data: shapes, epochs: 1, optimizer: adam(lr: 2e-4, beta1: 0.5), preview: 4x4 }

                """);
        }
        foreach (var name in names.Where(_ => rng.Next(2) == 0))
        {
            sb.Append($"train {name}{(rng.Next(3) == 0 ? " as run" + rng.Next(9) : "")} {{\n")
              .Append($"    data: {DataSets[rng.Next(DataSets.Length)]}\n")
              .Append($"    epochs: {rng.Next(1, 20)}\n    batch: {rng.Next(1, 256)}\n")
              .Append(rng.Next(2) == 0 ? "    optimizer: sgd(lr: 0.01, momentum: 0.9, nesterov: true)\n" : "    optimizer: adam(lr: 1e-3)\n")
              .Append(rng.Next(2) == 0 ? "    device: cuda:0\n" : "    device: auto\n")
              .Append("    seed: 1\n    validate: 0.1\n    checkpoint: 2\n    out: \"runs/x\"\n}\n");
        }
        return sb.ToString();
    }

    // ── Token soup ───────────────────────────────────────────────────────────────

    private static readonly string[] Vocabulary =
    [
        "network", "block", "gan", "train", "residual", "true", "false", "as", "input", "Qnet", "Qb", "Q1",
        "concat", "add", "concat(", "add(", "shortcut:", "time", "e1", "as e1", "as e2", "e2", "(shortcut:",
        .. LayerCatalog.All.Select(l => l.Name),
        .. LayerCatalog.All.SelectMany(l => l.Parameters).Select(p => p.Name + ":").Distinct(),
        "generator:", "discriminator:", "data:", "epochs:", "batch:", "optimizer:", "loss:", "device:", "seed:", "preview:", "validate:", "checkpoint:", "out:",
        "fashion_mnist", "mnist", "cifar10", "images", "shapes", "adam", "sgd", "lr:", "cuda:1", "cuda:", "cpu", "auto", "test",
        "same", "valid", "max", "avg", "nearest", "bilinear", "cross_entropy", "bce",
        "{", "}", "{", "}", "(", ")", "(", ")", ",", ":", "->", "-", ">", "*", ".", "#", "# comment\n", "\"", "\\",
        "0", "1", "3", "16", "-1", "0.5", ".5", "5.", "2e-4", "1e", "1e+", "1e999", "-0", "99999999999999999999999", "9223372036854775807", "9223372036854775808",
        "1x28x28", "0x28x28", "3x3", "3x", "x3", "1x2x3x4x5", "2147483648x1", "4x4.5", "3x3abc", "1X1", "00x01",
        "\"data\"", "\"unterminated", "\"esc\\\"aped\"", "\"bad\\q\"", "\"\\", "\"\"",
        " ", " ", " ", "  ", "\t", "\n", "\n", "\r\n", "\r", "\f", "\v", "\uFEFF",
        "é", "λ", "→", "×", "😀", "\u0000", "\u0007", "\u200B", "\uD800", "\uDC00", "@", "$", "%", "&", "!", "?", ";", "[", "]", "<", "=", "'", "`", "~", "^", "|", "/",
    ];

    public static string TokenSoup(Random rng, int maxTokens = 200)
    {
        int n = rng.Next(0, maxTokens + 1);
        var sb = new StringBuilder();
        for (int i = 0; i < n; i++)
        {
            sb.Append(Vocabulary[rng.Next(Vocabulary.Length)]);
            if (rng.Next(3) == 0) sb.Append(' ');
        }
        return sb.ToString();
    }

    // ── Edits ────────────────────────────────────────────────────────────────────

    /// <summary>1–6 random edits (insert a token or character, delete, duplicate, move, replace, truncate) of a corpus file or a generated program.</summary>
    public static string EditedProgram(Random rng) => EditedProgram(rng, onlyGenerated: false);

    /// <summary>As <see cref="EditedProgram(Random)"/>; with <paramref name="onlyGenerated"/> the base is always a
    /// generated program, whose names (Net123, Block4, GenQ …) never clash with the repository's examples.</summary>
    public static string EditedProgram(Random rng, bool onlyGenerated)
    {
        string text = onlyGenerated || rng.Next(4) == 0 ? ValidProgram(rng.Next()) : Corpus[rng.Next(Corpus.Count)];
        int edits = rng.Next(1, 7);
        for (int i = 0; i < edits; i++) text = Edit(rng, text);
        return text;
    }

    public static string Edit(Random rng, string text)
    {
        int Pos() => rng.Next(0, text.Length + 1);
        (int Start, int Length) Range()
        {
            int a = Pos(), len = rng.Next(0, Math.Min(40, text.Length - a) + 1);
            return (a, len);
        }
        switch (rng.Next(8))
        {
            case 0:
            case 1:
                return text.Insert(Pos(), Vocabulary[rng.Next(Vocabulary.Length)]);
            case 2:
                return text.Insert(Pos(), ((char)rng.Next(0, 0x10000)).ToString());
            case 3:
            {
                var (s, l) = Range();
                return text.Remove(s, l);
            }
            case 4:
            {
                var (s, l) = Range();
                return text.Insert(Pos(), text.Substring(s, l));
            }
            case 5:
            {
                var (s, l) = Range();
                string cut = text.Substring(s, l);
                string rest = text.Remove(s, l);
                return rest.Insert(rng.Next(0, rest.Length + 1), cut);
            }
            case 6:
            {
                if (text.Length == 0) return text;
                int p = rng.Next(text.Length);
                return text.Remove(p, 1).Insert(p, "{}()x:,-*#\"0\n "[rng.Next(14)].ToString());
            }
            default:
                return text[..Pos()];
        }
    }

    // ── Random text and bytes ────────────────────────────────────────────────────

    /// <summary>Random UTF-16: mostly ASCII, some controls, any BMP character, lone and paired surrogates.</summary>
    public static string RandomText(Random rng, int maxLength = 400)
    {
        int n = rng.Next(0, maxLength + 1);
        var sb = new StringBuilder(n);
        for (int i = 0; i < n; i++)
        {
            int r = rng.Next(10);
            char c = r switch
            {
                < 5 => (char)rng.Next(0x20, 0x7f),
                5 => (char)rng.Next(0, 0x20),
                6 => (char)rng.Next(0xD800, 0xE000),
                _ => (char)rng.Next(0, 0x10000),
            };
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Random bytes read the way an editor might: as UTF-8 (with replacement characters) or as Latin-1.</summary>
    public static string RandomBytes(byte[] bytes, bool utf8) =>
        utf8 ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);
}
