#!/usr/bin/env bash
# Installs what the build, the demo and the tests need on a fresh Debian 12 machine (idempotent).
#   dataset-fashion-mnist  the Fashion-MNIST IDX files (/usr/share/datasets/fashion-mnist)
#   python3-torch          Debian's PyTorch: the differential shape test and the export round trip
#   neovim                 a second, independent LSP client for the protocol tests
#   clang, zlib1g-dev      the Native AOT language server the .vsix ships (scripts/publish-server.sh)
# The real-UI suite's own set-up (chromium, code-server, Node 24) is scripts/e2e-setup.sh.
set -euo pipefail
need=()
for pkg in dataset-fashion-mnist python3-torch neovim clang zlib1g-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "prereqs: apt-get install ${need[*]}"
  $SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
command -v dotnet >/dev/null || { echo "prereqs: the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }
command -v npm >/dev/null || { echo "prereqs: Node.js 20 and npm are required" >&2; exit 1; }
