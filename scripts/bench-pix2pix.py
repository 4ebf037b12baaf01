#!/usr/bin/env python3
"""examples/pix2pix.ann's U-Net and PatchGAN in PyTorch, with the trainer's pix2pix step (Training/Pix2PixTarget.cs):
D on (x, y) and (x, G(x).detach()), loss halved; G on BCE + 100·L1; Adam 2e-4, beta1 0.5; data as one tensor on the
device, index_select batches, no host sync in the loop. Prints one JSON object with images/s.
    bench-pix2pix.py [STEPS] [THREADS] [cpu|cuda] [BATCH]"""
import json, sys, time
import torch
from torch import nn
import torch.nn.functional as F

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 100
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
device = torch.device(sys.argv[3] if len(sys.argv) > 3 else "cpu")
batch = int(sys.argv[4]) if len(sys.argv) > 4 else 32
torch.set_num_threads(threads)
torch.manual_seed(1)


class UNet(nn.Module):
    """block Down(c) { leakyrelu(0.2) -> conv(c, 4, 2, 1, bias: false) -> batchnorm }
    block Up(c, skip) { relu -> deconv(c, 4, 2, 1, bias: false) -> batchnorm -> concat(skip) }"""
    def __init__(self):
        super().__init__()
        down = lambda i, o: nn.Sequential(nn.LeakyReLU(0.2), nn.Conv2d(i, o, 4, 2, 1, bias=False), nn.BatchNorm2d(o))
        up = lambda i, o: nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(i, o, 4, 2, 1, bias=False), nn.BatchNorm2d(o))
        self.e1 = nn.Conv2d(1, 32, 4, 2, 1)
        self.e2 = down(32, 64)
        self.e3 = down(64, 128)
        self.inner = nn.Sequential(nn.LeakyReLU(0.2), nn.Conv2d(128, 128, 4, 2, 1))
        self.u3 = up(128, 128)
        self.u2 = up(256, 64)
        self.u1 = up(128, 32)
        self.out = nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())

    def forward(self, x):
        e1 = self.e1(x)
        e2 = self.e2(e1)
        e3 = self.e3(e2)
        h = self.inner(e3)
        h = torch.cat([self.u3(h), e3], 1)
        h = torch.cat([self.u2(h), e2], 1)
        h = torch.cat([self.u1(h), e1], 1)
        return self.out(h)


patch = nn.Sequential(
    nn.Conv2d(2, 32, 4, 2, 1), nn.LeakyReLU(0.2),
    nn.Conv2d(32, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
    nn.Conv2d(64, 1, 4, 1, 1)).to(device)
g = UNet().to(device)
for m in list(g.modules()) + list(patch.modules()):
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(m.weight, 0, 0.02)
        if m.bias is not None: nn.init.zeros_(m.bias)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1, 0.02); nn.init.zeros_(m.bias)
opt_g = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(patch.parameters(), 2e-4, betas=(0.5, 0.999))

n = 2048
inputs = (torch.rand(n, 1, 32, 32) > 0.8).to(torch.uint8).mul(255).to(device)
targets = torch.randint(0, 256, (n, 1, 32, 32), dtype=torch.uint8).to(device)


def step(idx):
    x = inputs.index_select(0, idx).float().div(127.5).sub(1)
    y = targets.index_select(0, idx).float().div(127.5).sub(1)
    fake = g(x)
    opt_d.zero_grad()
    d_real = patch(torch.cat([x, y], 1))
    d_fake = patch(torch.cat([x, fake.detach()], 1))
    loss_d = 0.5 * (F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real)) +
                    F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake)))
    loss_d.backward()
    opt_d.step()
    opt_g.zero_grad()
    d_fake2 = patch(torch.cat([x, fake], 1))
    loss_g = F.binary_cross_entropy_with_logits(d_fake2, torch.ones_like(d_fake2)) + 100 * (fake - y).abs().mean()
    loss_g.backward()
    opt_g.step()
    return loss_g


perm = torch.randperm(n, generator=torch.Generator().manual_seed(7)).to(device)
step(perm[:batch])  # warm-up
if device.type == "cuda": torch.cuda.synchronize()
t = time.perf_counter()
for s in range(steps):
    start = (s * batch) % (n - batch)
    loss = step(perm[start:start + batch])
loss.item()
if device.type == "cuda": torch.cuda.synchronize()
seconds = time.perf_counter() - t
print(json.dumps({"torch": torch.__version__, "device": str(device), "batch": batch, "steps": steps,
                  "pix2pix_img_s": steps * batch / seconds}))
