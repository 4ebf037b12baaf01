#!/usr/bin/env bash
# Language-server latency figures over real JSON-RPC (see tests/Annlsp.Server.Bench and docs/server.md), on a
# generated 10,000-line document: keystroke (didChange) → publishDiagnostics (the first 15 edits after open, then
# warm), completion and hover round trips, spawn → initialize, and the language core alone.
#   scripts/lsp-bench.sh [--packaged] [--trace] [VSIX]
#       the servers as packaged, extracted from VSIX (default annlsp.vsix: `npm run package`): the Native AOT server
#       the extension starts and its JIT fallback; then the development build (JIT) for comparison.
#       --packaged  only the packaged Native AOT server: its two targets (spawn → initialize, the first 15 edits)
#       --trace     also where the time goes: the server's ANNLSP_TIMING steps per segment, wall and server CPU
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
only_packaged=0; trace=()
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --packaged) only_packaged=1 ;;
    --trace) trace=(--trace) ;;
    *) echo "lsp-bench: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
vsix=${1:-annlsp.vsix}
out=.artifacts/lsp-bench
[ -f "$vsix" ] || { echo "lsp-bench: $vsix not found: run npm run package (or pass a .vsix)" >&2; exit 1; }
rm -rf "$out/vsix" && mkdir -p "$out/vsix"
# the .vsix is a zip; the extension's files are under extension/
python3 -c 'import sys, zipfile, os
z = zipfile.ZipFile(sys.argv[1])
for i in z.infolist():
    if i.filename.startswith("extension/dist/server/"):
        p = z.extract(i, sys.argv[2]); os.chmod(p, (i.external_attr >> 16) & 0o777 or 0o644)' "$vsix" "$out/vsix" || exit 1
packaged="$out/vsix/extension/dist/server"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; $vsix: $(stat -c %s "$vsix") bytes"
dotnet build tests/Annlsp.Server.Bench -c Release --nologo -v quiet >/dev/null || exit 1
bench="dotnet tests/Annlsp.Server.Bench/bin/Release/net10.0/Annlsp.Server.Bench.dll"
echo "== packaged Native AOT server (what the extension starts)"
$bench startup "${trace[@]}" --server "$packaged/aot/annlsp-server"
$bench latency "${trace[@]}" --server "$packaged/aot/annlsp-server"
[ "$only_packaged" = 1 ] && exit 0
echo "== packaged JIT server (the fallback)"
$bench startup --server dotnet "$packaged/annlsp.dll" lsp
$bench latency --server dotnet "$packaged/annlsp.dll" lsp
echo "== development build, JIT"
$bench startup --server dotnet tests/Annlsp.Server.Bench/bin/Release/net10.0/annlsp-server.dll
$bench latency
echo "== language core alone"
$bench core
