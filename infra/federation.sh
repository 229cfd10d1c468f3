#!/usr/bin/env bash
# A military region and two of its provinces on this machine, each silo with a database of its own on the
# project's PostgreSQL (infra/postgres.sh), all Development silos with the demo data:
#   infra/federation.sh start    build the silo (Release) once, start Thái Nguyên's province silo (http 5080, the
#                                Bắc Kạn demo and the 2025 reform), the sample province's silo (http 5091, the demo's
#                                made-up demo-mau alone), pin both provinces' published keys in the region's settings,
#                                start the region's silo (http 5090, region role), and wait until all three are ready
#   infra/federation.sh stop     SIGTERM each silo, SIGKILL after 15 s (PostgreSQL keeps running)
#   infra/federation.sh status   each silo's pid, address and /health/ready answer, and the region's /api/region/provinces
# Pids, logs, keys, tokens and tree heads live in .local/federation/; the region's token is .local/federation/region/dev-token.
# Settings: READINESS_FEDERATION_PORTS, the three HTTP ports in that order (default "5080 5091 5090");
# READINESS_FEDERATION_INTERVAL, seconds between the provinces' routine reports (default 10).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state="$root/.local/federation"
say() { printf 'federation: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

silos=(thai-nguyen demo-mau region)
read -r -a http_ports <<<"${READINESS_FEDERATION_PORTS:-5080 5091 5090}"
[ "${#http_ports[@]}" = 3 ] || die "READINESS_FEDERATION_PORTS takes three ports: Thái Nguyên's, the sample province's, the region's"
interval=${READINESS_FEDERATION_INTERVAL:-10}
[[ "$interval" =~ ^[1-9][0-9]*$ ]] || die "READINESS_FEDERATION_INTERVAL must be a whole number of seconds"
# Another checkout may share the PostgreSQL cluster (READINESS_PG_STATE): its federation's databases must not be ours.
checkout=$(printf '%s' "$root" | sha256sum | cut -c1-8)

http_port() { local i; for i in 0 1 2; do [ "${silos[$i]}" = "$1" ] && echo "${http_ports[$i]}"; done; }
url() { echo "http://127.0.0.1:$(http_port "$1")"; }
database() { echo "federation_${checkout}_${1//-/_}"; }
running() { [ -f "$state/$1.pid" ] && kill -0 "$(cat "$state/$1.pid")" 2>/dev/null; }
answer() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$(url "$1")$2" || true; }
taken() { (: >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Orleans' silo and gateway ports: free ones, not the fixed defaults another checkout's silo may hold. Into
# $port, not printed: a subshell would forget the ports already handed to silos that have not bound them yet.
chosen=()
port=
free_port() {
  local candidate
  for candidate in $(seq $((20000 + 0x${checkout:0:3} % 5000)) 40000); do
    if ! taken "$candidate" && [[ " ${chosen[*]} " != *" $candidate "* ]]; then
      chosen+=("$candidate")
      port=$candidate
      return 0
    fi
  done
  die "no free port for Orleans on 127.0.0.1"
}

app_connection=
owner_connection=
read_connection_strings() {
  local line
  while IFS= read -r line; do
    case "$line" in
      ConnectionStrings__Readiness=*) app_connection=$(eval "printf '%s' ${line#*=}") ;;
      ConnectionStrings__ReadinessOwner=*) owner_connection=$(eval "printf '%s' ${line#*=}") ;;
    esac
  done <<<"$("$root/infra/postgres.sh" start)"
}

ensure_database() {
  "$root/infra/postgres.sh" psql -d postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1 ||
    "$root/infra/postgres.sh" psql -d postgres -c "CREATE DATABASE \"$1\" OWNER readiness_owner" >/dev/null
}

# Starts silo $1 in the background with the settings given as NAME=value arguments after it.
launch() {
  local name=$1 silo_port gateway_port
  shift
  free_port
  silo_port=$port
  free_port
  gateway_port=$port
  mkdir -p "$state/$name"
  (
    cd "$root/silo/Readiness.Silo"
    export ASPNETCORE_ENVIRONMENT=Development
    export Urls="$(url "$name")"
    export ConnectionStrings__Readiness="${app_connection/Database=readiness;/Database=$(database "$name");}"
    export Readiness__Orleans__ClusterId="federation-$checkout-$name"
    export Readiness__Orleans__SiloPort=$silo_port Readiness__Orleans__GatewayPort=$gateway_port
    # The silo's development keys (tokens, reports, heads, the region's cosigning key) and its token, apart from the others'.
    export Readiness__Auth__DevelopmentKeyFile="$state/$name/dev-signing-key"
    export Readiness__Log__HeadDirectory="$state/$name/tree-heads"
    export "$@"
    # No descriptor of the caller's (a lock held around this script, a pipe) may stay open in a silo that outlives it.
    for fd in /proc/self/fd/*; do n=${fd##*/}; if [ "$n" -gt 2 ]; then eval "exec $n>&-" 2>/dev/null || true; fi; done
    exec setsid dotnet "$root/silo/Readiness.Silo/bin/Release/net10.0/Readiness.Silo.dll" >"$state/$name.log" 2>&1 </dev/null
  ) &
  echo $! >"$state/$name.pid"
  say "$name: pid $!, $(url "$name"), silo port $silo_port, gateway $gateway_port, log $state/$name.log"
}

wait_for() {
  local name=$1 path=$2 deadline=$((SECONDS + ${READINESS_FEDERATION_START_SECONDS:-600}))
  until [ "$(answer "$name" "$path")" = 200 ]; do
    running "$name" || { tail -n 20 "$state/$name.log" >&2; die "$name exited; see $state/$name.log"; }
    [ $SECONDS -lt $deadline ] || die "$name did not answer 200 at $path in time; see $state/$name.log"
    sleep 1
  done
}

# The provinces' reports go up to the region every $interval seconds, and retry quickly while it is not up yet.
province_settings() {
  echo "Readiness__UpwardReports__Endpoints__0__Name=quan-khu-1"
  echo "Readiness__UpwardReports__Endpoints__0__Url=$(url region)/api/region/reports"
  echo "Readiness__UpwardReports__Endpoints__0__Provinces__0=$1"
  # The region's cosigning key, pinned once the region listens: a cosigned head is kept only when it verifies.
  echo "Readiness__UpwardReports__Endpoints__0__WitnessKeysFile=$state/region.jwks.json"
  echo "Readiness__UpwardReports__IntervalSeconds=$interval"
  echo "Readiness__UpwardReports__PollSeconds=2"
  echo "Readiness__UpwardReports__MaxBackoffSeconds=5"
}

start() {
  local name i
  mkdir -p "$state"
  for i in 0 1 2; do
    name=${silos[$i]}
    running "$name" && die "$name already runs (pid $(cat "$state/$name.pid")); infra/federation.sh stop first"
    taken "${http_ports[$i]}" && die "port ${http_ports[$i]} for $name is taken by another process; choose others with READINESS_FEDERATION_PORTS=\"5080 5091 5090\""
  done
  read_connection_strings
  say "building the silo (Release)"
  (cd "$root" && dotnet build silo/Readiness.Silo -c Release -v q -nologo >"$state/build.log" 2>&1) ||
    { tail -n 30 "$state/build.log" >&2; die "the build failed; see $state/build.log"; }
  # The owner applies each database's schema before its silo starts; the silos serve with the application role alone.
  for name in "${silos[@]}"; do
    ensure_database "$(database "$name")"
    (cd "$root/silo/Readiness.Silo" &&
      ConnectionStrings__ReadinessOwner="${owner_connection/Database=readiness;/Database=$(database "$name");}" \
      ConnectionStrings__Readiness="${app_connection/Database=readiness;/Database=$(database "$name");}" \
        dotnet bin/Release/net10.0/Readiness.Silo.dll migrate >"$state/$name.migrate.log" 2>&1) ||
      { tail -n 30 "$state/$name.migrate.log" >&2; die "migrate of $(database "$name") failed; see $state/$name.migrate.log"; }
  done
  # shellcheck disable=SC2046 # one setting a line, none with spaces
  launch thai-nguyen $(province_settings thai-nguyen)
  # shellcheck disable=SC2046
  launch demo-mau Readiness__Demo__BacKan=false Readiness__Demo__SampleProvince=true $(province_settings demo-mau)
  # The region trusts what it pinned: each province's published keys (report and head), fetched once it listens.
  local region=(Readiness__Demo__Enabled=false Readiness__Region__Enabled=true Readiness__Region__Name=quan-khu-1)
  i=0
  for name in thai-nguyen demo-mau; do
    wait_for "$name" /.well-known/jwks.json
    curl -sf --max-time 5 "$(url "$name")/.well-known/jwks.json" >"$state/$name.jwks.json" || die "could not fetch $name's keys"
    say "$name's keys pinned: $(jq -r '[.keys[] | "\(.purpose) \(.kid)"] | join(", ")' "$state/$name.jwks.json")"
    region+=("Readiness__Region__Provinces__${i}__Id=$name"
      "Readiness__Region__Provinces__${i}__IntervalSeconds=$((interval * 3))"
      "Readiness__Region__Provinces__${i}__KeysFile=$state/$name.jwks.json")
    i=$((i + 1))
  done
  rm -f "$state/region.jwks.json"
  launch region "${region[@]}"
  wait_for region /.well-known/jwks.json
  curl -sf --max-time 5 "$(url region)/.well-known/jwks.json" >"$state/region.jwks.json.new" && mv "$state/region.jwks.json.new" "$state/region.jwks.json" ||
    die "could not fetch the region's keys"
  say "the region's cosigning key pinned in the provinces' settings: $(jq -r '[.keys[] | "\(.purpose) \(.kid)"] | join(", ")' "$state/region.jwks.json")"
  for name in "${silos[@]}"; do
    wait_for "$name" /health/ready
    say "$name ready on $(url "$name")"
  done
  say "the region: curl -H \"Authorization: Bearer \$(cat $state/region/dev-token)\" $(url region)/api/region/provinces"
}

stop() {
  local name patience=${READINESS_FEDERATION_STOP_SECONDS:-15} any=0 deadline
  for name in "${silos[@]}"; do
    if running "$name"; then kill -TERM "$(cat "$state/$name.pid")"; any=1; fi
  done
  deadline=$((SECONDS + patience))
  for name in "${silos[@]}"; do
    while running "$name" && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
    if running "$name"; then say "$name ignored SIGTERM for $patience s; SIGKILL"; kill -KILL "$(cat "$state/$name.pid")" 2>/dev/null || true; fi
    rm -f "$state/$name.pid"
  done
  [ $any = 1 ] && say "stopped" || say "not running"
}

status() {
  local name up=0
  for name in "${silos[@]}"; do
    if running "$name"; then
      up=$((up + 1))
      printf '%s: pid %s, %s, ready: %s\n' "$name" "$(cat "$state/$name.pid")" "$(url "$name")" "$(answer "$name" /health/ready)"
    else
      printf '%s: not running\n' "$name"
    fi
  done
  if running region && [ -s "$state/region/dev-token" ]; then
    curl -sf --max-time 5 -H "Authorization: Bearer $(cat "$state/region/dev-token")" "$(url region)/api/region/provinces" |
      jq -r '.[] | "region sees \(.id): report \(.reportSequence // "none") level \(.level // "-"), head size \(.witnessedHead.size // "-"), accepted \(.reportsAccepted), refused \(.reportsRefused)\(if .stale then ", STALE" else "" end)\(if .alarm then ", ALARM: \(.alarm)" else "" end)"' ||
      say "the region did not answer /api/region/provinces"
  fi
  [ $up -gt 0 ] || return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
