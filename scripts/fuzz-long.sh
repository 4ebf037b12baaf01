#!/usr/bin/env bash
# The long fuzz run of the language core — not part of CI's default test run (which fuzzes 10,000 inputs).
#   - the CsCheck properties (round trip, never throws, never hangs, diagnostics inside the document) over
#     ANNLSP_FUZZ_COUNT fuzzed inputs (default 100,000): random edits of every example, mistake and test
#     case, token soup, random Unicode, random bytes; plus generated valid programs;
#   - the differential test against PyTorch on ANNLSP_DIFF_COUNT generated networks (default 2,000) with a
#     fresh seed (ANNLSP_DIFF_SEED to replay one), when /usr/bin/python3 can import torch.
# CsCheck picks a new seed each run and prints it on a failure: ANNLSP_FUZZ_SEED=<seed> replays it.
# ANNLSP_FUZZ_TIMEOUT_S is the per-input hang detector (default 20 s).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export ANNLSP_FUZZ_COUNT="${ANNLSP_FUZZ_COUNT:-100000}"
export ANNLSP_DIFF_COUNT="${ANNLSP_DIFF_COUNT:-2000}"
export ANNLSP_DIFF_SEED="${ANNLSP_DIFF_SEED:-$(( (RANDOM << 15) | RANDOM ))}"
echo "fuzz: $ANNLSP_FUZZ_COUNT inputs; differential: $ANNLSP_DIFF_COUNT networks, seed $ANNLSP_DIFF_SEED"
start=$(date +%s)
dotnet test tests/Annlsp.Language.Tests -c Release --nologo \
    --filter "FullyQualifiedName~Annlsp.Language.Tests.Properties.PropertyTests|FullyQualifiedName~Annlsp.Language.Tests.Differential" \
    --logger "console;verbosity=detailed"
echo "fuzz-long: done in $(( $(date +%s) - start )) s"
