#!/usr/bin/env bash
# Installs NestJS 11 into .tmp/nest11 (git-ignored). Peers (rxjs, reflect-metadata, transport
# clients) are not installed there: Node resolves them from the repo's own node_modules, so
# the suites run against one copy of each and only @nestjs/* differ.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.tmp/nest11"
mkdir -p "$dest"
cp "$root/scripts/nest11/package.json" "$dest/package.json"
cd "$dest"
npm install --no-audit --no-fund --legacy-peer-deps --omit=peer --loglevel=error >/dev/null
echo "NestJS 11 installed in $dest/node_modules ($(node -p "require('./node_modules/@nestjs/core/package.json').version"))"
