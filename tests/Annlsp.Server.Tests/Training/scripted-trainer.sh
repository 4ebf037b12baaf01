#!/usr/bin/env bash
# A scripted stand-in for `annlsp train FILE --target NAME --progress json` that speaks the trainer's progress
# protocol (v1: one JSON object per line with an "event" field). It lets the tests drive the server's process
# handling (relay, progress, stop = SIGTERM then kill) deterministically and in milliseconds.
# Modes (TRAINER_MODE): finish | forever | stubborn | outside | linkout (runs/ under the workspace's `linkout`, a link) | gan
# (finish, with a GAN's sample scores).
# With --stdin it reads the source as the real trainer does (up to a NUL) and keeps it in received-source.ann in its
# working folder, for the tests to compare.
[ "$1" = train ] || { echo "usage: train FILE --target NAME --progress json [--stdin]" >&2; exit 2; }
file=$2; target=$4
for arg in "$@"; do
  if [ "$arg" = --stdin ]; then IFS= read -r -d '' source; printf '%s' "$source" > "$PWD/received-source.ann"; fi
done
run="$PWD/runs/$target/20261128-180000"
[ "$TRAINER_MODE" = outside ] && run="/tmp/elsewhere/$target"
[ "$TRAINER_MODE" = linkout ] && { run="$PWD/linkout/$target/20261128-180000"; mkdir -p "$run"; }
emit() { printf '%s\n' "$1"; }
stopped=0
if [ "$TRAINER_MODE" = stubborn ]; then trap '' TERM; else trap 'stopped=1' TERM; fi
echo "training $target from $file" >&2
emit "{\"v\":1,\"event\":\"started\",\"target\":\"$target\",\"runDir\":\"$run\",\"epochs\":2,\"stepsPerEpoch\":3,\"device\":\"cpu\"}"
step=0
while :; do
  step=$((step + 1))
  epoch=$(( (step - 1) / 3 + 1 ))
  emit "{\"v\":1,\"event\":\"step\",\"epoch\":$epoch,\"step\":$(( (step - 1) % 3 + 1 )),\"steps\":3,\"loss\":0.5}"
  if [ $stopped = 1 ]; then
    emit "{\"v\":1,\"event\":\"finished\",\"status\":\"stopped\",\"runDir\":\"$run\",\"epoch\":$epoch,\"loss\":0.5}"
    exit 0
  fi
  if [ $((step % 3)) = 0 ]; then
    emit "{\"v\":1,\"event\":\"epoch\",\"epoch\":$epoch,\"epochs\":2,\"loss\":0.4,\"accuracy\":0.875}"
    if [ "$TRAINER_MODE" = gan ] && [ $epoch = 2 ]; then
      emit "{\"v\":1,\"event\":\"finished\",\"status\":\"finished\",\"runDir\":\"$run\",\"epoch\":2,\"loss_g\":1.2,\"loss_d\":0.9,\"fd\":12.34,\"fd_real\":8.5,\"confident\":0.936,\"coverage\":4,\"classes\":4}"
      exit 0
    fi
    if [ "$TRAINER_MODE" = finish ] || [ "$TRAINER_MODE" = outside ] || [ "$TRAINER_MODE" = linkout ]; then
      if [ $epoch = 2 ]; then
        emit "{\"v\":1,\"event\":\"finished\",\"status\":\"finished\",\"runDir\":\"$run\",\"epoch\":2,\"loss\":0.4,\"accuracy\":0.875}"
        exit 0
      fi
    fi
  fi
  sleep 0.05
done
