#!/usr/bin/env python3
"""The denoiser of a diffusion in examples/diffusion.ann as `annlsp export` writes it (module, weights and the
sample() of the same schedule), trained and sampled in Debian's PyTorch exactly as DiffusionBenchmark does in
TorchSharp: batch 128 of shapes-like data, uniform t, noise, the MSE against the diffusion's training target (predict:), Adam, EMA update; DDIM(50) of 64 images.
Prints one JSON object (medians of the rounds). Run by bench-diffusion.sh.
    bench-diffusion.py EXPORT_DIR DIFFUSION DENOISER STEPS ROUNDS THREADS"""
import json, statistics, sys, time, importlib, copy
import torch

folder, name, denoiser, steps, rounds, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
torch.set_num_threads(threads)
torch.manual_seed(1)
sys.path.insert(0, folder)
d = importlib.import_module(name)
model = d.load(f"{folder}/{denoiser}.pt")
ema = copy.deepcopy(model)
opt = torch.optim.Adam(model.parameters(), lr=2e-4)
_, ab = d.schedule()
sqrt_ab = torch.tensor([a ** 0.5 for a in ab], dtype=torch.float32)
sqrt_1m = torch.tensor([(1 - a) ** 0.5 for a in ab], dtype=torch.float32)
data = torch.rand(2048, 1, 28, 28) * 2 - 1
batch = 128

# seconds per step in each phase, summed over the measured rounds: inputs (noise, x_t, embedding, target), forward + loss, backward, Adam + EMA
phases = [0.0] * 4

def train_round():
    model.train()
    t0 = time.perf_counter()
    for s in range(steps):
        p0 = time.perf_counter()
        start = (s * batch) % (data.shape[0] - batch)
        x0 = data[start:start + batch]
        t = torch.randint(0, d.STEPS, (batch,))
        noise = torch.randn_like(x0)
        a, b = sqrt_ab[t].view(-1, 1, 1, 1), sqrt_1m[t].view(-1, 1, 1, 1)
        xt = a * x0 + b * noise
        time_emb = d.time_embedding(t)
        target = d.training_target(x0, noise, a, b)
        p1 = time.perf_counter()
        out = model(xt, time_emb) if d.USES_TIME else model(xt)
        loss = torch.nn.functional.mse_loss(out, target)
        p2 = time.perf_counter()
        opt.zero_grad(set_to_none=False)
        loss.backward()
        p3 = time.perf_counter()
        opt.step()
        with torch.no_grad():
            for e, p in zip(ema.parameters(), model.parameters()):
                e.mul_(0.999).add_(p, alpha=0.001)
        p4 = time.perf_counter()
        for i, dt in enumerate((p1 - p0, p2 - p1, p3 - p2, p4 - p3)):
            phases[i] += dt
    return (time.perf_counter() - t0) / steps

def sample_round():
    model.eval()
    start = torch.randn(64, 1, 28, 28, generator=torch.Generator().manual_seed(5))
    t0 = time.perf_counter()
    d.sample(model, start, "ddim(50)")
    return time.perf_counter() - t0

train_round(); sample_round()
train, sample = [], []
phases = [0.0] * 4
for _ in range(rounds):
    train.append(train_round()); sample.append(sample_round())
print(json.dumps({"train_step_s": statistics.median(train), "ddim50_64_s": statistics.median(sample), "threads": torch.get_num_threads(), "phases_s": [p / (rounds * steps) for p in phases], "torch": torch.__version__}))
