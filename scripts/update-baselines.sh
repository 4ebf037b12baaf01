#!/usr/bin/env bash
# Rewrites tests/baselines/** from the current checker and completion. Review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
ANNLSP_UPDATE_BASELINES=1 dotnet test tests/Annlsp.Language.Tests --filter "FullyQualifiedName~BaselineTests.Matches_baseline" "$@"
ANNLSP_UPDATE_BASELINES=1 dotnet test tests/Annlsp.Server.Tests --filter "FullyQualifiedName~CompletionBaselineTests.Matches_baseline" "$@"
git status --short tests/baselines
