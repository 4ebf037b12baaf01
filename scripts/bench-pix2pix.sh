#!/usr/bin/env bash
# pix2pix training throughput on this machine, side by side: `annlsp train examples/pix2pix.ann --target quick`
# (the U-Net and PatchGAN of the example, batch 32; the epoch's images/s) against the same networks and step in
# Debian's PyTorch (scripts/bench-pix2pix.py), in alternating rounds. Needs python3-torch.
#   scripts/bench-pix2pix.sh [ROUNDS] [IMAGES]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
images=${2:-1280}
dotnet build server/Annlsp.Cli -c Release --nologo -v quiet >/dev/null
work=$(mktemp -d)
for r in $(seq "$rounds"); do
  dotnet server/Annlsp.Cli/bin/Release/net10.0/annlsp.dll train examples/pix2pix.ann --target quick --limit "$images" --epochs 1 \
    --progress json --out "$work" > "$work/annlsp-$r.jsonl"
  # the trainer's OpenMP spin, so both wait alike on a busy machine (as bench-training.sh)
  GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-1000} /usr/bin/python3 scripts/bench-pix2pix.py $((images / 32)) "$(nproc)" cpu 32 > "$work/torch-$r.json"
done
python3 - "$work" "$rounds" <<'PY'
import json, sys
work, rounds = sys.argv[1], int(sys.argv[2])
for r in range(1, rounds + 1):
    ours = [json.loads(l) for l in open(f"{work}/annlsp-{r}.jsonl")]
    ours = next(e["imagesPerSecond"] for e in ours if e["event"] == "epoch")
    torch = json.load(open(f"{work}/torch-{r}.json"))
    print(f"round {r}: annlsp {ours:.1f} img/s, PyTorch {torch['torch']} {torch['pix2pix_img_s']:.1f} img/s: ratio {ours / torch['pix2pix_img_s']:.2f}")
PY
rm -rf "$work"
