#!/usr/bin/env bash
# A diffusion denoiser of examples/diffusion.ann in annlsp (TorchSharp) and in Debian's PyTorch (the module and
# sample() that `annlsp export` writes, with the same weights), side by side: the two processes alternate, A B A B,
# each measuring a training step (batch 128: noise, the MSE against the predict: target, Adam, EMA) and DDIM(50) of 64 images, median of its rounds,
# and the training step's phases (inputs, forward + loss, backward, Adam + EMA: mean over the rounds).
# Needs python3-torch.   scripts/bench-diffusion.sh [TARGET (ShapesDiffusion)] [STEPS (10)] [ROUNDS (3)] [PAIRS (2)]
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-ShapesDiffusion}; steps=${2:-10}; rounds=${3:-3}; pairs=${4:-2}
dotnet build tests/Annlsp.Training.Tests -c Release --nologo -v quiet >/dev/null
dotnet build server/Annlsp.Cli -c Release --nologo -v quiet >/dev/null
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
denoiser=$(dotnet server/Annlsp.Cli/bin/Release/net10.0/annlsp.dll export examples/diffusion.ann --target "$target" --out "$work" --seed 1 | head -1)
denoiser=$(basename "$denoiser" .py)
threads=$(nproc)
for i in $(seq "$pairs"); do
  ts=$(GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-1000} dotnet tests/Annlsp.Training.Tests/bin/Release/net10.0/Annlsp.Training.Tests.dll bench-diffusion "$PWD" "$target" "$work/$denoiser.pt" "$steps" "$rounds")
  py=$(GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-1000} /usr/bin/python3 scripts/bench-diffusion.py "$work" "$target" "$denoiser" "$steps" "$rounds" "$threads")
  python3 - "$ts" "$py" <<'PY'
import json, sys
ts, py = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"training step: annlsp {ts['train_step_s'] * 1000:.0f} ms, PyTorch {py['torch']} {py['train_step_s'] * 1000:.0f} ms: speed ratio {py['train_step_s'] / ts['train_step_s']:.2f}x  |  "
      f"DDIM(50) x 64: annlsp {ts['ddim50_64_s']:.2f} s, PyTorch {py['ddim50_64_s']:.2f} s: speed ratio {py['ddim50_64_s'] / ts['ddim50_64_s']:.2f}x  ({ts['threads']}/{py['threads']} threads, {ts['parameters']:,} parameters)")
names = ("inputs", "forward + loss", "backward", "Adam + EMA")
print("  per phase, annlsp / PyTorch ms (ratio): " + ", ".join(
    f"{n} {a * 1000:.1f} / {b * 1000:.1f} ({b / a:.2f}x)" for n, a, b in zip(names, ts["phases_s"], py["phases_s"])))
PY
done
