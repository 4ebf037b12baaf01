#!/usr/bin/env bash
# Regenerates client/src/training/progressEvents.ts from the progress event records (server/Annlsp.Progress).
# ProgressProtocolTests.The_generated_typescript_types_are_current fails while the file is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
ANNLSP_UPDATE_BASELINES=1 dotnet test tests/Annlsp.Server.Tests --filter "FullyQualifiedName~ProgressProtocolTests.The_generated_typescript_types_are_current" "$@"
git status --short client/src/training/progressEvents.ts
