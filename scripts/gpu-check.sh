#!/usr/bin/env bash
# The GPU check of the trainer, prepared as one script for a machine that has an NVIDIA GPU and a CUDA
# PyTorch (≥ 2) in python3 but no .NET — such as the H200 that `device` lends to some sessions.
#
#   scripts/gpu-check.sh pack
#       Here (with the .NET SDK): fills .device/ (git ignores it; about 60 MB, under the device tool's
#       64 MiB carry limit) with the .NET runtime (the dotnet host, host/fxr, shared/Microsoft.NETCore.App),
#       framework-dependent builds of the CLI and of the training benchmark without the libtorch-cpu
#       natives, and Fashion-MNIST (the training images as .xz).
#   scripts/gpu-check.sh run [OUT]
#       There: unpacks .device/ into a temporary folder and, on CUDA with the LibTorch of python3's PyTorch
#       (the trainer finds it itself), trains examples/lenet.ann (5 epochs), examples/resnet.ann (a graph
#       network), examples/pix2pix.ann (Edges2Fashion), examples/diffusion.ann (FashionDiffusion),
#       examples/dcgan.ann and examples/fashion-bn.ann, each for its declared epochs or as far as its
#       time limit lets it (the epoch events written so far are reported), and runs the throughput benchmarks of the
#       compiled LeNet against hand-written TorchSharp and PyTorch (default and fused Adam) at batch 64,
#       256 and 1024, and the DCGAN's. Writes OUT/summary.txt (the figures), the event logs and the
#       sample grids to OUT (default ./gpu-check).
#   GPU_CHECK_QUICK=1 scripts/gpu-check.sh run OUT
#       The same with 1 epoch, 2,000 examples and short benchmarks: how `run` was tested on a CPU here
#       (device auto), with ANNLSP_LIBTORCH naming the NuGet LibTorch folder in place of a CUDA PyTorch and
#       PYTHON=/usr/bin/python3 (Debian's PyTorch) for the PyTorch side.
#
# With the device tool: pack here, then run(command "bash scripts/gpu-check.sh run $OUT", carry [".device"],
# timeout_s 540). Each step has its own time limit, cut to what is left of GPU_CHECK_BUDGET_S (default 500 s,
# counted from the start), so one that hangs or runs long leaves the others' figures and summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
pack=$repo/.device

if [ "${1:-}" = pack ]; then
    export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
    rm -rf "$pack" && mkdir -p "$pack"
    stage=$(mktemp -d)
    trap 'rm -rf "$stage"' EXIT
    dotnet publish server/Annlsp.Cli -c Release -r linux-x64 --no-self-contained -o "$stage/bin/cli" -v quiet --nologo
    dotnet publish tests/Annlsp.Training.Tests -c Release -r linux-x64 --no-self-contained -o "$stage/bin/bench" -v quiet --nologo
    # LibTorch comes from the GPU machine's PyTorch; the test platform's code coverage and symbols are not needed.
    rm -rf "$stage"/bin/*/libtorch "$stage"/bin/bench/Microsoft.CodeCoverage "$stage"/bin/*/*.pdb
    tar -C "$stage" -cf - bin | xz -T0 -6 > "$pack/annlsp.tar.xz"
    dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
    (cd "$dotnet_root" && tar -cf - dotnet host/fxr shared/Microsoft.NETCore.App) | xz -T0 -9 > "$pack/dotnet-runtime.tar.xz"
    data=${ANNLSP_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
    mkdir -p "$pack/fashion-mnist"
    for f in train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do cp "$data/$f.gz" "$pack/fashion-mnist/"; done
    gzip -dc "$data/train-images-idx3-ubyte.gz" | xz -T0 -9 > "$pack/fashion-mnist/train-images-idx3-ubyte.xz"
    du -sh "$pack"/*
    echo "in all: $(du -cb "$pack"/*.xz "$pack"/fashion-mnist/* | tail -1 | cut -f1) bytes (the device tool carries at most 64 MiB = 67,108,864)"
    exit 0
fi

[ "${1:-}" = run ] || { echo "usage: scripts/gpu-check.sh pack | run [OUT]" >&2; exit 2; }
out=$(realpath -m "${2:-gpu-check}")
mkdir -p "$out"
work=$(mktemp -d)
summary=$out/summary.txt
say() { echo "$*" | tee -a "$summary"; }
quick=${GPU_CHECK_QUICK:-0}
budget=${GPU_CHECK_BUDGET_S:-500}
# The time limit for the next step: its own, or what is left of the budget; 0 when too little is left.
limit() { local left=$((budget - SECONDS - 5)); [ "$left" -lt 20 ] && { echo 0; return; }; echo $(( $1 < left ? $1 : left )); }

mkdir -p "$work/dotnet" && xz -dc "$pack/dotnet-runtime.tar.xz" | tar -C "$work/dotnet" -xf -
xz -dc "$pack/annlsp.tar.xz" | tar -C "$work" -xf -
mkdir -p "$work/fashion-mnist" && cp "$pack"/fashion-mnist/*.gz "$work/fashion-mnist/"
xz -dc "$pack/fashion-mnist/train-images-idx3-ubyte.xz" > "$work/fashion-mnist/train-images-idx3-ubyte"
export DOTNET_ROOT=$work/dotnet PATH=$work/dotnet:$PATH DOTNET_CLI_TELEMETRY_OPTOUT=1
export ANNLSP_FASHION_MNIST=$work/fashion-mnist
annlsp=("$work/dotnet/dotnet" "$work/bin/cli/annlsp.dll")

say "== gpu-check $(date -u +%FT%TZ) quick=$quick"
say "$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo 'nvidia-smi: none')"
say "python3: $("${PYTHON:-python3}" -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())' 2>&1 | tail -1)"
say "dotnet: $("$work/dotnet/dotnet" --list-runtimes | head -1)"

if [ "$quick" = 1 ]; then device=auto; train_args=(--epochs 1 --limit 2000); steps=20; batches=(64); else device=cuda; train_args=(); steps=300; batches=(64 256 1024); fi

# One training: events to OUT/NAME.jsonl, the run folder's samples and metrics copied beside them.
train() {
    local name=$1 file=$2 limit_s; limit_s=$(limit "$3"); shift 3
    [ "$limit_s" = 0 ] && { say "$name: skipped (the time budget is spent)"; return; }
    local start=$SECONDS rc=0
    timeout "$limit_s" "${annlsp[@]}" train "$file" --device "$device" --out "$work/runs/$name" --progress json "${train_args[@]}" "$@" \
        > "$out/$name.jsonl" 2> "$out/$name.err" || rc=$?
    local run_dir; run_dir=$(find "$work/runs/$name" -mindepth 2 -maxdepth 2 -type d 2>/dev/null | head -1 || true)
    if [ -n "$run_dir" ]; then
        mkdir -p "$out/$name"
        cp -r "$run_dir/samples" "$run_dir/metrics.jsonl" "$run_dir/run.json" "$out/$name/" 2>/dev/null || true
    fi
    python3 - "$out/$name.jsonl" "$name" "$rc" "$((SECONDS - start))" <<'PY' | tee -a "$summary"
import json, sys
path, name, rc, seconds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
events = []
for line in open(path):
    try: events.append(json.loads(line))
    except ValueError: pass
started = next((e for e in events if e.get("event") == "started"), {})
epochs = [e for e in events if e.get("event") == "epoch"]
end = next((e for e in events if e.get("event") in ("finished", "failed")), {})
rates = [round(e.get("imagesPerSecond", 0)) for e in epochs]
keys = ("accuracy", "loss", "loss_d", "loss_g", "d_x", "d_g_z", "l1", "psnr", "l1_input", "psnr_input", "fd", "confident", "coverage")
last = {k: epochs[-1][k] for k in keys if epochs and k in epochs[-1]}
print(f"{name}: exit {rc}, {seconds} s; device {started.get('device')} (LibTorch: {started.get('libtorch')}); "
      f"{len(epochs)} epochs, img/s per epoch {rates}; last epoch {last}; {end.get('event')} {end.get('reason', '')}")
PY
}

# Throughput, side by side: the compiled LeNet vs hand-written TorchSharp (bench), vs PyTorch.
bench() {
    local batch=$1 limit_s; limit_s=$(limit 150)
    [ "$limit_s" = 0 ] && { say "bench at batch $batch: skipped (the time budget is spent)"; return; }
    # ANNLSP_TEST_CHILD: the test assembly then leaves the choice of LibTorch and device to the benchmark
    # (tests themselves pin the bundled CPU LibTorch).
    ts=$(ANNLSP_TEST_CHILD=1 timeout "$limit_s" "$work/dotnet/dotnet" "$work/bin/bench/Annlsp.Training.Tests.dll" bench "$repo" "$steps" "$batch" 2> "$out/bench-$batch.err" | tail -1 || true)
    limit_s=$(limit 150)
    [ "$limit_s" = 0 ] && { say "PyTorch bench at batch $batch: skipped (the time budget is spent)"; return; }
    py=$(timeout "$limit_s" "${PYTHON:-python3}" scripts/bench-pytorch.py "$steps" "$(nproc)" "$([ "$device" = cuda ] && echo cuda || echo cpu)" "$batch" 2>> "$out/bench-$batch.err" | tail -1 || true)
    echo "$ts" > "$out/bench-torchsharp-$batch.json"; echo "$py" > "$out/bench-pytorch-$batch.json"
    python3 - "$ts" "$py" <<'PY' | tee -a "$summary"
import json, sys
try: ts, py = json.loads(sys.argv[1]), json.loads(sys.argv[2])
except ValueError: print("bench: no result (see bench-*.err)"); sys.exit(0)
b = ts["batch"]
line = (f"batch {b} on {ts['device']}: LeNet DSL {ts['lenet_dsl_img_s']:.0f} img/s, hand {ts['lenet_hand_img_s']:.0f} "
        f"(DSL/hand {ts['dsl_vs_hand']:.3f}), hand + torch.optim.Adam {ts['lenet_hand_torch_adam_img_s']:.0f}; "
        f"PyTorch {py['torch']} on {py['device']} {py['lenet_img_s']:.0f} (DSL/PyTorch {ts['lenet_dsl_img_s'] / py['lenet_img_s']:.3f})")
if "lenet_fused_adam_img_s" in py:
    line += f", fused Adam {py['lenet_fused_adam_img_s']:.0f} (DSL/fused {ts['lenet_dsl_img_s'] / py['lenet_fused_adam_img_s']:.3f})"
line += f"; DCGAN {ts['dcgan_it_s']:.1f} vs {py['dcgan_it_s']:.1f} it/s ({ts['dcgan_it_s'] / py['dcgan_it_s']:.3f})"
print(line)
PY
}

# The most telling figures first, in case the budget runs out.
train lenet examples/lenet.ann 90
bench "${batches[-1]}"
train resnet examples/resnet.ann 120
train pix2pix examples/pix2pix.ann 90 --target Edges2Fashion
train diffusion examples/diffusion.ann 150 --target FashionDiffusion
train dcgan examples/dcgan.ann 120 --target FashionGAN
for batch in "${batches[@]:0:${#batches[@]}-1}"; do bench "$batch"; done
train fashion-bn examples/fashion-bn.ann 180
say "== done in $SECONDS s"
rm -rf "$work"
