#!/usr/bin/env bash
# Language-server latency figures over real JSON-RPC (see tests/Annlsp.Server.Bench and docs/server.md):
#   keystroke (didChange) → publishDiagnostics and completion round trip on a generated 10,000-line document,
#   the language core alone, and spawn → initialize for the JIT, ReadyToRun and Native AOT builds of the server.
# Native AOT needs clang (apt-get install -y clang); it is skipped with a note when clang is missing.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
out=.artifacts/lsp-bench
mkdir -p "$out"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
dotnet build tests/Annlsp.Server.Bench -c Release --nologo -v quiet >/dev/null || exit 1
bench="dotnet tests/Annlsp.Server.Bench/bin/Release/net10.0/Annlsp.Server.Bench.dll"
$bench core
$bench latency
echo "-- spawn → initialize"
$bench startup --server dotnet tests/Annlsp.Server.Bench/bin/Release/net10.0/annlsp-server.dll
if dotnet publish server/Annlsp.Server -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
     -o "$out/r2r" --nologo -v quiet >"$out/r2r.log" 2>&1; then
  $bench startup --server "$out/r2r/annlsp-server"
else echo "ReadyToRun publish failed: see $out/r2r.log"; fi
if command -v clang >/dev/null; then
  if dotnet publish server/Annlsp.Server -c Release -r linux-x64 -p:PublishAot=true -o "$out/aot" --nologo -v quiet >"$out/aot.log" 2>&1; then
    $bench startup --server "$out/aot/annlsp-server"
    $bench latency --server "$out/aot/annlsp-server"
  else echo "Native AOT publish failed: see $out/aot.log"; fi
else
  echo "Native AOT skipped: clang is not installed (apt-get install -y clang)"
fi
