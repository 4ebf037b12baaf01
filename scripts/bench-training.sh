#!/usr/bin/env bash
# Training throughput on this machine: LeNet compiled from examples/lenet.ann vs the same LeNet written by
# hand in TorchSharp (one process, alternating rounds), vs Debian's PyTorch (python3-torch); DCGAN
# (examples/dcgan.ann) iterations/s vs PyTorch. Then peak RSS and test accuracy of
# `annlsp train examples/lenet.ann` (5 epochs on Fashion-MNIST) unless --quick.
# Needs: dataset-fashion-mnist, python3-torch, GNU time (apt-get install -y time).
#   scripts/bench-training.sh [--quick] [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0; [ "${1:-}" = "--quick" ] && { quick=1; shift; }
steps=${1:-300}
dotnet build tests/Annlsp.Training.Tests -c Release --nologo -v quiet >/dev/null
dotnet build server/Annlsp.Cli -c Release --nologo -v quiet >/dev/null
ts=$(dotnet tests/Annlsp.Training.Tests/bin/Release/net10.0/Annlsp.Training.Tests.dll bench "$PWD" "$steps")
# The same short OpenMP spin the trainer sets for itself (TorchRuntime), so both wait alike on a busy machine.
py=$(GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-1000} /usr/bin/python3 scripts/bench-pytorch.py "$steps" "$(nproc)")
echo "TorchSharp: $ts"
echo "PyTorch:    $py"
python3 - "$ts" "$py" <<'PY'
import json, sys
ts, py = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"LeNet  DSL {ts['lenet_dsl_img_s']:.0f} img/s, hand-written {ts['lenet_hand_img_s']:.0f} img/s (DSL/hand {ts['dsl_vs_hand']:.3f}), "
      f"hand + torch.optim.Adam {ts['lenet_hand_torch_adam_img_s']:.0f} img/s")
print(f"LeNet  DSL / PyTorch {py['torch']}: {ts['lenet_dsl_img_s'] / py['lenet_img_s']:.3f}  ({py['lenet_img_s']:.0f} img/s)")
print(f"DCGAN  TorchSharp {ts['dcgan_it_s']:.2f} it/s, PyTorch {py['dcgan_it_s']:.2f} it/s: ratio {ts['dcgan_it_s'] / py['dcgan_it_s']:.3f}")
PY
[ $quick = 1 ] && exit 0
work=$(mktemp -d)
cp examples/lenet.ann "$work/"
/usr/bin/time -v server/Annlsp.Cli/bin/Release/net10.0/annlsp train "$work/lenet.ann" --progress json > "$work/events.jsonl" 2> "$work/time.txt"
python3 - "$work/events.jsonl" "$work/time.txt" <<'PY'
import json, re, sys
events = [json.loads(l) for l in open(sys.argv[1])]
for e in events:
    if e["event"] == "epoch":
        print(f"epoch {e['epoch']}: {e['seconds']:.1f} s, {e['imagesPerSecond']:.0f} img/s, loss {e['loss']:.4f}, test accuracy {e['accuracy']:.4f}")
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(sys.argv[2]).read()).group(1))
print(f"peak RSS {rss / 1024:.0f} MB")
PY
rm -rf "$work"
