using System.Text;

namespace Annlsp.Benchmarks;

/// <summary>
/// A deterministic, realistic `.ann` file of a given number of lines: classifiers (LeNet-, AlexNet-,
/// VGG- and ResNet-style), parameterised blocks (some nested), residuals, DCGAN generator/discriminator
/// pairs with `gan` declarations, `train` blocks (named ones too) and comments. Every declaration is
/// valid, so the checker does its full work (shapes through every block use), as it would on a real file.
/// </summary>
public static class BenchmarkInput
{
    public static string Generate(int lines = 10_000, int seed = 42)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder(lines * 40);
        int count = 0;
        for (int i = 0; ; i++)
        {
            string piece = (i % 7) switch
            {
                0 => LeNet(i, rng),
                1 => Vgg(i, rng),
                2 => ResNet(i, rng),
                3 => Gan(i, rng),
                4 => AlexNet(i, rng),
                5 => Mlp(i, rng),
                _ => Blocks(i, rng),
            };
            int pieceLines = piece.Count(c => c == '\n');
            if (count + pieceLines > lines) break;
            sb.Append(piece);
            count += pieceLines;
        }
        while (count < lines) { sb.Append("# padding line\n"); count++; }
        return sb.ToString();
    }

    /// <summary>
    /// A file of U-Nets (the target: ≤ 15 ms median for 10,000 lines): Down/Up blocks with a tensor argument,
    /// named encoder levels, concat, and ResNet stages with projection shortcuts and add chains.
    /// </summary>
    public static string GenerateUNets(int lines = 10_000, int seed = 42)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder(lines * 50);
        int count = 0;
        for (int i = 0; ; i++)
        {
            string piece = i % 3 == 2 ? ProjectionResNet(i, rng) : UNet(i, rng);
            int pieceLines = piece.Count(c => c == '\n');
            if (count + pieceLines > lines) break;
            sb.Append(piece);
            count += pieceLines;
        }
        while (count < lines) { sb.Append("# padding line\n"); count++; }
        return sb.ToString();
    }

    private static string UNet(int i, Random rng)
    {
        int c = 16 << rng.Next(3);
        return $$"""
            # U-Net {{i}}: three levels down, three up, each up level beside the encoder tensor of its size
            block Down{{i}}(c) { leakyrelu(0.2) -> conv(c, kernel: 4, stride: 2, padding: 1, bias: false) -> batchnorm }
            block Up{{i}}(c, skip) { relu -> deconv(c, kernel: 4, stride: 2, padding: 1, bias: false) -> batchnorm -> concat(skip) }

            network UNet{{i}} {
                input(1x32x32)
                conv({{c}}, kernel: 4, stride: 2, padding: 1, bias: false) as e1   # → 16×16
                Down{{i}}({{c * 2}}) as e2                                        # → 8×8
                Down{{i}}({{c * 4}}) as e3                                        # → 4×4
                leakyrelu(0.2) -> conv({{c * 4}}, kernel: 4, stride: 2, padding: 1)   # → 2×2
                Up{{i}}({{c * 4}}, e3)
                Up{{i}}({{c * 2}}, e2)
                Up{{i}}({{c}}, e1)
                add(e1 -> conv({{c * 2}}, kernel: 1))
                relu -> deconv(1, kernel: 4, stride: 2, padding: 1) -> tanh
            }

            """;
    }

    private static string ProjectionResNet(int i, Random rng)
    {
        int c = 16 + rng.Next(16);
        return $$"""
            block ProjBlock{{i}}(c) {
                residual(shortcut: conv(c, kernel: 1, stride: 2, bias: false) -> batchnorm) {
                    conv(c, kernel: 3, stride: 2, padding: 1, bias: false) -> batchnorm -> relu
                    conv(c, kernel: 3, padding: 1, bias: false) -> batchnorm
                }
                relu
            }

            network Proj{{i}} {
                input(1x28x28) as x
                conv({{c}}, kernel: 3, padding: 1, bias: false) -> batchnorm -> relu
                add(x -> conv({{c}}, kernel: 1))
                ProjBlock{{i}}(64) as h
                ProjBlock{{i}}(128)
                globalpool
                concat(h -> globalpool)
                dense(10)
            }

            """ + Train($"Proj{i}", rng);
    }

    private static string Train(string target, Random rng, string data = "fashion_mnist") => $$"""
        train {{target}} {
            data: {{data}}
            epochs: {{rng.Next(1, 30)}}
            batch: {{64 << rng.Next(0, 3)}}
            optimizer: adam(lr: {{(rng.Next(2) == 0 ? "1e-3" : "2e-4")}}, beta1: 0.5)
            seed: {{rng.Next(100)}}
            validate: 0.1
        }

        """;

    private static string LeNet(int i, Random rng) => $$"""
        # LeNet-5 variant {{i}}: conv–relu–pool twice, then a dense head
        network LeNet{{i}} {
            input(1x28x28)
            conv({{4 + rng.Next(8)}}, kernel: 5, padding: 2) -> relu
            pool(max, 2)                      # -> 14x14
            conv(16, kernel: 5)               # -> 10x10
            relu
            pool(max, 2)                      # -> 5x5
            flatten
            dense({{100 + rng.Next(40)}}) -> relu
            dense(84) -> relu
            dropout({{(rng.Next(5) / 10.0).ToString(System.Globalization.CultureInfo.InvariantCulture)}})
            dense(10)
            softmax
        }

        """ + Train($"LeNet{i}", rng);

    private static string Vgg(int i, Random rng) => $$"""
        block VggBlock{{i}}(filters) {
            conv(filters, kernel: 3, padding: same) -> batchnorm -> relu
            conv(filters, kernel: 3, padding: same) -> batchnorm -> relu
            pool(max, 2)
        }

        network Vgg{{i}} {
            input(3x32x32)
            VggBlock{{i}}(32)          # -> 32x16x16
            VggBlock{{i}}(64)          # -> 64x8x8
            VggBlock{{i}}({{64 << rng.Next(0, 2)}})          # -> 4x4
            globalpool
            dropout(0.3)
            dense(10)
        }

        """ + Train($"Vgg{i}", rng, "cifar10(\"data/cifar-10-batches-bin\")");

    private static string ResNet(int i, Random rng)
    {
        int c = 16 + rng.Next(16);
        return $$"""
            block Basic{{i}}(c) {
                residual {
                    conv(c, kernel: 3, padding: 1) -> batchnorm -> relu
                    conv(c, kernel: 3, padding: 1) -> batchnorm
                }
                relu
            }

            block Stage{{i}}(c) {
                Basic{{i}}(c)
                Basic{{i}}(c)
            }

            network ResNet{{i}} {
                input(1x28x28)
                conv({{c}}, kernel: 3, padding: 1) -> batchnorm -> relu
                Stage{{i}}({{c}})
                conv(64, kernel: 3, stride: 2, padding: 1)    # -> 14x14
                Stage{{i}}(64)
                conv(128, kernel: 3, stride: 2, padding: 1)   # -> 7x7
                Stage{{i}}(128)
                globalpool(avg)
                dense(4)                                      # circle, square, triangle, cross
            }

            """ + Train($"ResNet{i}", rng, "shapes");
    }

    private static string Gan(int i, Random rng) => $$"""
        # A DCGAN pair {{i}}
        network Generator{{i}} {
            input({{64 + rng.Next(64)}})                                          # latent vector
            dense(128 * 7 * 7) -> batchnorm -> relu
            reshape(128x7x7)
            deconv(64, kernel: 4, stride: 2, padding: 1) -> batchnorm -> relu     # -> 64x14x14
            deconv(1, kernel: 4, stride: 2, padding: 1) -> tanh                   # -> 1x28x28
        }

        network Discriminator{{i}} {
            input(1x28x28)
            conv(64, kernel: 4, stride: 2, padding: 1) -> leakyrelu(0.2)          # -> 64x14x14
            conv(128, kernel: 4, stride: 2, padding: 1) -> batchnorm -> leakyrelu(0.2)
            flatten
            dense(1)
        }

        gan Gan{{i}} {
            generator: Generator{{i}}
            discriminator: Discriminator{{i}}
        }

        train Gan{{i}} {
            data: fashion_mnist
            epochs: 20
            batch: 128
            optimizer: adam(lr: 2e-4, beta1: 0.5)
            preview: 8x8
        }

        train Gan{{i}} as quick {
            data: shapes
            epochs: 2
            preview: 4x4
        }

        """;

    private static string AlexNet(int i, Random rng) => $$"""
        network Alex{{i}} {
            input(3x32x32)
            conv(64, kernel: 3, padding: 1) -> relu
            pool(max, 2)                                  # -> 64x16x16
            conv(192, kernel: 3, padding: 1) -> relu
            pool(max, 2)                                  # -> 192x8x8
            conv(384, kernel: 3, padding: 1) -> relu
            conv(256, kernel: 3, padding: 1) -> relu
            conv(256, kernel: 3x3, padding: 1x1, bias: false) -> relu
            pool(max, 2)                                  # -> 256x4x4
            flatten                                       # -> 4096
            dropout(0.5)
            dense({{512 + rng.Next(512)}}) -> relu
            dropout(0.5)
            dense(512) -> relu
            dense(10)
            softmax
        }

        train Alex{{i}} {
            data: cifar10("data/cifar-10-batches-bin")
            epochs: 10
            batch: 128
            optimizer: sgd(lr: 0.01, momentum: 0.9, nesterov: true)
            validate: 0.1
            checkpoint: 2
            device: auto
        }

        """;

    private static string Mlp(int i, Random rng) => $$"""
        network Mlp{{i}} {
            input(1x28x28)
            flatten
            dense({{128 + rng.Next(256)}}) -> gelu -> dropout(0.2)
            dense(128) -> batchnorm -> relu
            residual { dense(128) -> relu -> dense(128) }
            dense(64) -> leakyrelu(slope: 0.1)
            dense(10)
        }

        """ + Train($"Mlp{i}", rng, "mnist(\"data/mnist\")");

    private static string Blocks(int i, Random rng) => $$"""
        block Up{{i}}(c, k) {
            upsample(2, mode: bilinear)
            conv(c, kernel: k, padding: same) -> relu
        }

        block Down{{i}}(c) {
            conv(c, kernel: 3x3, stride: 2, padding: 1) -> batchnorm -> relu
        }

        network AutoEnc{{i}} {
            input(1x32x32)
            Down{{i}}(16)            # -> 16x16
            Down{{i}}(32)            # -> 8x8
            Up{{i}}(32, 3)           # -> 16x16
            Up{{i}}(16, 5)           # -> 32x32
            conv(1, kernel: 1) -> sigmoid
            pool(avg, size: 4, stride: 4)     # -> 8x8
            flatten
            dense(4)
        }

        """ + Train($"AutoEnc{i}", rng, "images(\"data/pics\", size: 32x32, channels: 1)");
}
