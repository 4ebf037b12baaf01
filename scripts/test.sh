#!/usr/bin/env bash
# The whole test suite, from a fresh clone: prerequisites, .NET tests, client unit tests, the .vsix,
# and the real-UI tests in code-server. Prints one "N passed, N failed" line at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
bash scripts/prereqs.sh || exit 1

passed=0; failed=0; failures=()
count() { # $1 = suite name, $2 = log file, $3 = exit code
  # dotnet test: "Failed!  - Failed: 1, Passed: 62, ..."; node's test runner: "ℹ pass 12" / "ℹ fail 0".
  local p f
  p=$(awk '/(Passed|Failed)!/ { for (i = 1; i <= NF; i++) if ($i == "Passed:") { gsub(",", "", $(i+1)); s += $(i+1) } }
           /^[^ ]+ pass [0-9]+$/ { s += $NF } END { print s + 0 }' "$2")
  f=$(awk '/(Passed|Failed)!/ { for (i = 1; i <= NF; i++) if ($i == "Failed:") { gsub(",", "", $(i+1)); s += $(i+1) } }
           /^[^ ]+ fail [0-9]+$/ { s += $NF } END { print s + 0 }' "$2")
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$3" -ne 0 ]; then failures+=("$1"); [ "$f" -gt 0 ] || failed=$((failed + 1)); fi
  echo "== $1: $p passed, $f failed (exit $3)"
}

# -warnaserror: the analyzers (Directory.Build.props, .editorconfig) and the compiler's warnings fail CI.
dotnet build annlsp.sln -c Release -warnaserror --nologo -v quiet 2>&1 | tail -3
build=${PIPESTATUS[0]}
if [ "$build" -ne 0 ]; then echo "build failed"; echo "0 passed, 1 failed"; exit 1; fi

mkdir -p .artifacts
for project in tests/Annlsp.Language.Tests tests/Annlsp.Cli.Tests tests/Annlsp.Server.Tests tests/Annlsp.Training.Tests; do
  name=$(basename "$project")
  dotnet test "$project" -c Release --no-build --nologo 2>&1 | tee ".artifacts/$name.log" | grep -E "^\s*(Failed|Skipped) |Passed!|Failed!|error" 
  count "$name" ".artifacts/$name.log" "${PIPESTATUS[0]}"
done

# Client: npm ci, unit tests, .vsix, real-UI tests.
if npm ci --no-audit --no-fund --loglevel=error > .artifacts/npm-ci.log 2>&1; then
  npm test 2>&1 | tee .artifacts/client.log | tail -15
  count "client unit tests" .artifacts/client.log "${PIPESTATUS[0]}"
  npm run package > .artifacts/package.log 2>&1; rc=$?
  tail -5 .artifacts/package.log
  [ $rc -eq 0 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); failures+=("npm run package"); }
  if [ $rc -eq 0 ]; then
    npm run test:e2e 2>&1 | tee .artifacts/e2e.log | grep -vE "^\s*$" | tail -40
    count "real-UI (code-server) tests" .artifacts/e2e.log "${PIPESTATUS[0]}"
  fi
else
  tail -20 .artifacts/npm-ci.log; failed=$((failed + 1)); failures+=("npm ci")
fi

[ ${#failures[@]} -eq 0 ] || echo "failing suites: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
