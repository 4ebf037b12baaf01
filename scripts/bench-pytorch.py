#!/usr/bin/env python3
"""The LeNet and DCGAN of examples/ in PyTorch, with the same loop as the TorchSharp benchmark (data as
one tensor on the device, index_select batches, Adam, no host sync in the loop). Prints one JSON object.
Run by bench-training.sh (Debian's PyTorch, CPU) and gpu-check.sh (CUDA).
    bench-pytorch.py [STEPS] [THREADS] [cpu|cuda] [BATCH]     data: $ANNLSP_FASHION_MNIST or Debian's folder"""
import gzip, json, os, sys, time
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 300
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
device = torch.device(sys.argv[3] if len(sys.argv) > 3 else "cpu")
batch = int(sys.argv[4]) if len(sys.argv) > 4 else 64
torch.set_num_threads(threads)
torch.manual_seed(1)
folder = os.environ.get("ANNLSP_FASHION_MNIST") or "/usr/share/datasets/fashion-mnist"

def idx(name, offset):
    """An IDX file, gzip-compressed or not (as the trainer reads them)."""
    path = os.path.join(folder, name)
    with (gzip.open(path + ".gz") if os.path.exists(path + ".gz") else open(path, "rb")) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset).copy()

images = torch.from_numpy(idx("train-images-idx3-ubyte", 16)).reshape(-1, 1, 28, 28).to(device)
labels = torch.from_numpy(idx("train-labels-idx1-ubyte", 8).astype(np.int64)).to(device)

def sync():
    if device.type == "cuda":
        torch.cuda.synchronize()

lenet = nn.Sequential(  # examples/lenet.ann
    nn.Conv2d(1, 6, 5, padding=2), nn.ELU(), nn.MaxPool2d(2),
    nn.Conv2d(6, 16, 5), nn.ELU(), nn.MaxPool2d(2), nn.Flatten(),
    nn.Linear(400, 120), nn.ELU(), nn.Linear(120, 84), nn.ELU(), nn.Linear(84, 10)).to(device)
opt = torch.optim.Adam(lenet.parameters(), 1e-3)

def lenet_round(offset):
    perm = torch.randperm(images.shape[0], generator=torch.Generator().manual_seed(7)).to(device)
    sync()
    t = time.perf_counter()
    for s in range(steps):
        start = ((offset + s) * batch) % (images.shape[0] - batch)
        idx = perm[start:start + batch]
        x = images.index_select(0, idx).float().div_(255)
        y = labels.index_select(0, idx)
        loss = F.cross_entropy(lenet(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    sync()
    return steps * batch / (time.perf_counter() - t)

lenet_round(0)
lenet_rate = max(lenet_round(r * steps) for r in range(5))
result = {"torch": torch.__version__, "device": str(device), "threads": torch.get_num_threads(), "batch": batch, "lenet_img_s": lenet_rate}
if device.type == "cuda":
    # PyTorch's fastest Adam on a GPU: one fused kernel for all parameters.
    opt = torch.optim.Adam(lenet.parameters(), 1e-3, fused=True)
    lenet_round(0)
    result["lenet_fused_adam_img_s"] = max(lenet_round(r * steps) for r in range(5))

G = nn.Sequential(nn.Linear(100, 128 * 7 * 7), nn.BatchNorm1d(128 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (128, 7, 7)),
                  nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
                  nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh()).to(device)
D = nn.Sequential(nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128),
                  nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(128 * 7 * 7, 1)).to(device)
gopt = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
dopt = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))

def gan_round(n):
    sync()
    t = time.perf_counter()
    for s in range(n):
        start = (s * 128) % 59000
        real = images[start:start + 128].float().div_(127.5).sub_(1)
        fake = G(torch.randn(128, 100, device=device))
        ones, zeros = torch.ones(128, 1, device=device), torch.zeros(128, 1, device=device)
        dopt.zero_grad()
        loss_d = F.binary_cross_entropy_with_logits(D(real), ones) + F.binary_cross_entropy_with_logits(D(fake.detach()), zeros)
        loss_d.backward(); dopt.step()
        gopt.zero_grad()
        loss_g = F.binary_cross_entropy_with_logits(D(fake), ones)
        loss_g.backward(); gopt.step()
    sync()
    return n / (time.perf_counter() - t)

gan_steps = max(10, steps // 10)
gan_round(3)
result["dcgan_it_s"] = max(gan_round(gan_steps) for _ in range(3))
print(json.dumps(result))
