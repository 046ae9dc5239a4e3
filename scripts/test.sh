#!/usr/bin/env bash
# `npm test`: installs what the tests need, then runs every test project.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-packages.sh
npx tsc --noEmit -p tsconfig.json
npx biome check .
npx vitest run "$@"
