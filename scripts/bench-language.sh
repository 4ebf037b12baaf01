#!/usr/bin/env bash
# Benchmark of the language core: parse + check (DocumentAnalysis.Analyze) of a generated, realistic
# 10,000-line .ann file — networks, parameterised blocks, residuals, gans, trains. Target: ≤ 10 ms median.
#
#   scripts/bench-language.sh            Stopwatch breakdown (lexer / parser / checker), then BenchmarkDotNet
#   scripts/bench-language.sh --quick    only the Stopwatch breakdown (seconds, not minutes)
#   scripts/bench-language.sh ARGS…      BenchmarkDotNet arguments, e.g. --filter '*ParseAndCheck*'
#
# Results (BenchmarkDotNet's Markdown/CSV reports) land in BenchmarkDotNet.Artifacts/results/ (ignored by git). The machine must be
# otherwise idle for figures worth comparing: on a loaded 2-core machine the median can triple.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build tests/Annlsp.Benchmarks -c Release --nologo -v quiet
dll=tests/Annlsp.Benchmarks/bin/Release/net10.0/Annlsp.Benchmarks.dll

if [ "${1:-}" = "--quick" ]; then
    dotnet "$dll" --breakdown "${2:-50}"
    exit
fi
dotnet "$dll" --breakdown 30
echo
# In-process: no per-run project generation and rebuild (minutes on 2 cores); same JIT, same GC settings.
if [ $# -eq 0 ]; then set -- --filter '*'; fi
dotnet "$dll" --inProcess --artifacts BenchmarkDotNet.Artifacts "$@"
