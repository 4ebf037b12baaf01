#!/usr/bin/env bash
# Stages the servers that the .vsix ships into dist/server (run by `npm run package`):
#   dist/server/           the framework-dependent CLI `annlsp` (the trainer, run by `dotnet annlsp.dll`; also the
#                          JIT language server `annlsp lsp`, the client's fallback)
#   dist/server/aot/       the Native AOT language server `annlsp-server` (linux-x64, no .NET needed), the one the
#                          extension starts
# Native AOT needs clang and zlib1g-dev (scripts/prereqs.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
command -v clang >/dev/null || { echo "publish-server: the Native AOT server needs clang: run scripts/prereqs.sh (apt-get install clang zlib1g-dev)" >&2; exit 1; }
rm -rf dist/server
t0=$SECONDS
dotnet publish server/Annlsp.Cli -c Release -o dist/server --nologo -v quiet -p:DebugType=none
t1=$SECONDS
# The AOT compiler's trim/AOT analysis warnings are known (reflection in StreamJsonRpc/Newtonsoft, rooted in
# Annlsp.Server.csproj); only errors are shown.
if ! dotnet publish server/Annlsp.Server -c Release -r linux-x64 -p:PublishAot=true -p:DebugType=none \
       -o dist/server/aot --nologo -v quiet -clp:ErrorsOnly >dist/aot-publish.log 2>&1; then
  cat dist/aot-publish.log >&2; exit 1
fi
rm -f dist/server/aot/*.dbg
t2=$SECONDS
# The server answers initialize before it is shipped: a binary that cannot start fails the build, not the user.
coproc AOT { exec timeout 60 dist/server/aot/annlsp-server 2>/dev/null; }
printf 'Content-Length: 58\r\n\r\n{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}' >&"${AOT[1]}"
answer=""; IFS= read -r -t 60 -N 200 answer <&"${AOT[0]}" || true
exec {AOT[1]}>&-; wait "$AOT_PID" 2>/dev/null || true
[[ "$answer" == *'"id":1,"result":{"capabilities"'* ]] || { echo "publish-server: dist/server/aot/annlsp-server did not answer initialize: $answer" >&2; exit 1; }
echo "publish-server: JIT CLI $((t1 - t0)) s, Native AOT server $((t2 - t1)) s ($(du -h dist/server/aot/annlsp-server | cut -f1))"
