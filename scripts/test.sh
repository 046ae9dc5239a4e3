#!/usr/bin/env bash
# `npm test`: installs what the tests need, checks types and style, then runs every test project.
# Each phase is its own vitest run: the emulator-backed projects each start their own emulators and
# export them through process.env, so two of them must not share a run; and the CPU-heavy projects
# (real Chromium + ffmpeg) run alone, so that their frame-rate and A/V-sync checks get the two cores.
# `npm test -- --project unit` (any vitest arguments) runs just that.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== Node.js $(node --version), npm $(npm --version)"
bash scripts/ensure-system-packages.sh --tests
npx tsc --noEmit -p tsconfig.json
npx biome check .
if [ "$#" -gt 0 ]; then exec npx vitest run "$@"; fi

mkdir -p test-results
rm -f test-results/*.json
status=0
run_phase() {
  local name=$1; shift
  echo "== $name"
  npx vitest run "$@" --reporter=default --reporter=json --outputFile="test-results/$name.json" || status=1
}
phases=(unit-and-infra integration hardening recorder end-to-end)
run_phase unit-and-infra --project unit --project infra
run_phase integration --project integration
run_phase hardening --project hardening
run_phase recorder --project recorder
run_phase end-to-end --project e2e
node -e '
  const fs = require("node:fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const name of process.argv.slice(1)) {
    const file = `test-results/${name}.json`;
    if (!fs.existsSync(file)) { failed += 1; console.log(`${name}: no results (the run itself failed)`); continue; }
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
' "${phases[@]}"
exit $status
