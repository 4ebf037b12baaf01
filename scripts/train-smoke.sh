#!/usr/bin/env bash
# End-to-end check of the `annlsp` training commands (a minute on 2 cores): train a classifier and a
# GAN on the generated `shapes` data with --progress json, refuse a file with errors, stop on SIGTERM
# with a checkpoint and resume, sample from the trained generator, export to PyTorch and load it in
# Debian's PyTorch. Prints "train-smoke: ok" or the first failure.
#   scripts/train-smoke.sh [path/to/annlsp]
set -euo pipefail
cd "$(dirname "$0")/.."
annlsp=${1:-}
if [ -z "$annlsp" ]; then
  dotnet build server/Annlsp.Cli --nologo -v quiet >/dev/null
  annlsp=server/Annlsp.Cli/bin/Debug/net10.0/annlsp
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp examples/shapes.ann examples/dcgan.ann "$work/"
fail() { echo "train-smoke: FAILED: $*" >&2; exit 1; }
last() { tail -n 1 "$1"; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2]))" "$1" "$2"; }

# 1. classifier, JSON progress
"$annlsp" train "$work/shapes.ann" --target ShapeNet --epochs 1 --limit 1500 --progress json > "$work/cls.jsonl" || fail "classifier run exited $?"
[ "$(field "$(head -n 1 "$work/cls.jsonl")" event)" = started ] || fail "first event is not started"
[ "$(field "$(last "$work/cls.jsonl")" event)" = finished ] || fail "last event is not finished: $(last "$work/cls.jsonl")"
acc=$(field "$(last "$work/cls.jsonl")" accuracy)
python3 -c "import sys; sys.exit(0 if float('$acc') > 0.5 else 1)" || fail "accuracy $acc"
run=$(field "$(last "$work/cls.jsonl")" runDir)
for f in run.json metrics.jsonl model.pt checkpoint.safetensors samples/epoch-001.png; do [ -s "$run/$f" ] || fail "missing $run/$f"; done

# 2. GAN (the shapes training of dcgan.ann)
"$annlsp" train "$work/dcgan.ann" --target ShapesGAN --epochs 1 --limit 512 --progress json > "$work/gan.jsonl" || fail "GAN run exited $?"
grep -q '"event":"sample"' "$work/gan.jsonl" || fail "no sample event"
ganrun=$(field "$(last "$work/gan.jsonl")" runDir)
grep -q '"event":"epoch".*"fd":' "$work/gan.jsonl" || fail "no sample scores (fd) in the GAN's epoch event"
"$annlsp" evaluate "$ganrun" --samples 200 --format json | grep -q '"confident":' || fail "annlsp evaluate gave no scores"

# 3. a file with errors is refused
printf 'network N {\n  input(1x28x28)\n  dense(10)\n}\ntrain N { data: shapes }\n' > "$work/bad.ann"
if "$annlsp" train "$work/bad.ann" --progress json > "$work/bad.jsonl" 2> "$work/bad.err"; then fail "a file with errors was trained"; fi
[ "$(field "$(last "$work/bad.jsonl")" event)" = failed ] || fail "no failed event for a file with errors"
grep -q "error ANN" "$work/bad.err" || fail "errors not printed"

# 4. SIGTERM stops with a checkpoint; --resume continues
"$annlsp" train "$work/shapes.ann" --target ShapeNet --epochs 20 --progress json > "$work/stop.jsonl" &
pid=$!
for _ in $(seq 1 300); do grep -q '"event":"step"' "$work/stop.jsonl" 2>/dev/null && break; sleep 0.1; done
kill -TERM $pid; wait $pid || fail "stopped trainer exited $?"
[ "$(field "$(last "$work/stop.jsonl")" status)" = stopped ] || fail "not stopped: $(last "$work/stop.jsonl")"
stoprun=$(field "$(last "$work/stop.jsonl")" runDir)
"$annlsp" train "$work/shapes.ann" --target ShapeNet --epochs 1 --resume "$stoprun" --progress json > "$work/resume.jsonl" || fail "resume exited $?"
[ "$(field "$(head -n 1 "$work/resume.jsonl")" resumedFrom)" != None ] || fail "resume did not start from the checkpoint"

# 5. sample and export
"$annlsp" sample "$work/dcgan.ann" --target ShapesGAN --run "$ganrun" --grid 3x5 --out "$work/s.png" > /dev/null || fail "sample"
[ -s "$work/s.png" ] || fail "no sample png"
"$annlsp" export "$work/shapes.ann" --target ShapeNet --run "$run" --out "$work/export" > /dev/null || fail "export"
/usr/bin/python3 - "$work/export" <<'PY' || fail "the export does not load in PyTorch"
import importlib.util, sys, torch
d = sys.argv[1]
spec = importlib.util.spec_from_file_location("ShapeNet", d + "/ShapeNet.py"); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
net = m.ShapeNet(); net.load_state_dict(torch.load(d + "/ShapeNet.pt")); net.eval()
y = net(torch.rand(2, 1, 28, 28))
assert tuple(y.shape) == (2, 4) and torch.allclose(y.sum(1), torch.ones(2), atol=1e-5)
PY
echo "train-smoke: ok"
