#!/usr/bin/env bash
# Rewrites tests/baselines/** from the current checker and editor features: the checker's baselines of every
# example and test case, and the editor features' baselines of every fixture in tests/editor/<feature>/.
# Review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
ANNLSP_UPDATE_BASELINES=1 dotnet test tests/Annlsp.Language.Tests \
  --filter "FullyQualifiedName~BaselineTests.Matches_baseline|FullyQualifiedName~EditorBaselineTests.Matches_baseline" "$@"
git status --short tests/baselines
