#!/usr/bin/env bash
# Runs every test: domain rules without a cluster, then grains, projections, the HTTP API, the client
# and provisioning on the project's own PostgreSQL (started, and installed if missing, on the way).
# Ends with one line: tests: N passed, N failed, N skipped.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

log=$(mktemp)
trap 'rm -f "$log"' EXIT

summary() {
  local total failed passed skipped
  total=$(grep -E '^\s+total: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+')
  failed=$(grep -E '^\s+failed: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+')
  passed=$(grep -E '^\s+succeeded: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+')
  skipped=$(grep -E '^\s+skipped: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+')
  if [ -z "$total" ]; then
    echo "tests: 0 passed, ${1:-1} failed"
    return
  fi
  echo "tests: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
}

if ! infra/postgres.sh start >/dev/null; then
  echo "PostgreSQL could not be started (see above)."
  echo "tests: 0 passed, 1 failed"
  exit 1
fi

dotnet test --solution Readiness.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary
exit "$status"
