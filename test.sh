#!/usr/bin/env bash
# Runs every test: domain rules without a cluster, then grains, projections, the HTTP API, the client,
# provisioning and the dashboard in headless Chromium, on the project's own PostgreSQL (started, and
# installed if missing, on the way; Chromium likewise). Every cluster of this checkout that the run
# started, the tests' own included, is stopped when it ends; one that ran before it keeps running.
# Ends with one line: tests: N passed, N failed, N skipped.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

log=$(mktemp)

# This checkout's clusters: the project's own (where postgres.sh keeps it), the Nth ones beside it,
# and those the fault tests start under .local for themselves.
clusters() {
  local main state
  main=$(realpath -s "${READINESS_PG_STATE:-.local/postgres}")
  for state in "$main" "$main"-* "$PWD/.local/postgres" "$PWD/.local/postgres"-*; do
    if [ -e "$state" ]; then printf '%s\n' "$state"; fi
  done | sort -u
}
running_clusters() {
  local state
  clusters | while IFS= read -r state; do
    if READINESS_PG_STATE=$state infra/postgres.sh status 2>/dev/null; then printf '%s\n' "$state"; fi
  done
}
# A test run that starts a server stops it when it ends, and leaves running what ran before it.
running_before=$(running_clusters)
stop_what_the_run_started() {
  local state
  running_clusters | while IFS= read -r state; do
    if ! grep -qxF "$state" <<<"$running_before"; then READINESS_PG_STATE=$state infra/postgres.sh stop; fi
  done
}
trap 'stop_what_the_run_started; rm -f "$log"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

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

# The dashboard test drives Debian's Chromium (Playwright's own browser download does not work here).
if [ ! -x "${READINESS_CHROMIUM:-/usr/bin/chromium}" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian's chromium for the dashboard test (one time)"
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; } >"$log" 2>&1 || tail -n 20 "$log"
  else
    echo "Chromium is missing and this is not root: the dashboard test will fail until 'apt-get install chromium' is run."
  fi
fi

if ! infra/postgres.sh start >/dev/null; then
  echo "PostgreSQL could not be started (see above)."
  echo "tests: 0 passed, 1 failed"
  exit 1
fi

dotnet test --solution Readiness.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# The silos' logs bury a failure's message far above the end; repeat each failure's name and first
# lines last, where whoever reads only the tail of the output still sees what failed and why.
if grep -qE '^\s*failed [A-Za-z_]' "$log"; then
  echo
  echo "Failed tests (repeated from above):"
  grep -E -A 14 '^\s*failed [A-Za-z_]' "$log" | head -n 120
  echo
fi
summary
exit "$status"
