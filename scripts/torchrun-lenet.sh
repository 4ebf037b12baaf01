#!/usr/bin/env bash
# The torchrun package (annlsp export --torchrun, docs/torchrun.md) on LeNet-5 / Fashion-MNIST, CPU (gloo):
#  1. throughput, side by side in alternating rounds: `annlsp train` (TorchSharp, one process),
#     torchrun with 1 process and with 2 processes (OMP_NUM_THREADS=1 each, torchrun's default), one
#     epoch of LIMIT images each round; the epoch event's imagesPerSecond;
#  2. accuracy: torchrun with 2 processes, the .ann's 5 epochs on all 60,000 images (the target: the
#     test accuracy `annlsp train` reaches, >= 0.91).
# Not run by CI (minutes). Needs dataset-fashion-mnist, python3-torch and the built CLI.
#   scripts/torchrun-lenet.sh [ROUNDS] [LIMIT] [--no-accuracy]     (default 3 rounds of 12000 images)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; limit=${2:-12000}; accuracy=1; [ "${3:-}" = "--no-accuracy" ] && accuracy=0
annlsp=server/Annlsp.Cli/bin/Release/net10.0/annlsp
[ -x "$annlsp" ] || dotnet build server/Annlsp.Cli -c Release --nologo -v quiet >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$annlsp" export examples/lenet.ann --target LeNet5 --torchrun --out "$work/package" >/dev/null
cp examples/lenet.ann "$work/"
# Debian's torchrun (PyTorch 1.13 on Python 3.11) cannot parse its own default --redirects; these keep stdout as it is.
torchrun=(env -u LD_LIBRARY_PATH /usr/bin/torchrun --standalone --redirects 2 --tee 2)
ips() { python3 -c 'import json,sys; print(round([json.loads(l) for l in open(sys.argv[1]) if "\"epoch\",\"time\"" in l][-1]["imagesPerSecond"]))' "$1"; }

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for r in $(seq "$rounds"); do
  "$annlsp" train "$work/lenet.ann" --epochs 1 --limit "$limit" --out "$work/runs-annlsp-$r" --progress json > "$work/annlsp-$r.jsonl"
  (cd "$work/package" && "${torchrun[@]}" --nproc_per_node=1 train.py --epochs 1 --limit "$limit" --out "$work/runs-1-$r" > "$work/t1-$r.jsonl" 2>/dev/null)
  (cd "$work/package" && "${torchrun[@]}" --nproc_per_node=2 train.py --epochs 1 --limit "$limit" --out "$work/runs-2-$r" > "$work/t2-$r.jsonl" 2>/dev/null)
  echo "round $r: annlsp train $(ips "$work/annlsp-$r.jsonl") img/s, torchrun 1 process $(ips "$work/t1-$r.jsonl") img/s, 2 processes $(ips "$work/t2-$r.jsonl") img/s (load $(cut -d' ' -f1 /proc/loadavg))"
done

[ $accuracy = 1 ] || exit 0
echo "accuracy: torchrun --nproc_per_node=2, 5 epochs of 60,000 images"
(cd "$work/package" && "${torchrun[@]}" --nproc_per_node=2 train.py --out "$work/runs-full" > "$work/full.jsonl" 2>"$work/full.err") || { tail -5 "$work/full.err"; exit 1; }
python3 - "$work/full.jsonl" <<'PY'
import json, sys
for e in (json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")):
    if e["event"] == "epoch":
        print(f"  epoch {e['epoch']}: loss {e['loss']:.4f}, test accuracy {e['accuracy']:.4f} ({e['seconds']:.0f} s, {e['imagesPerSecond']:.0f} img/s)")
PY
