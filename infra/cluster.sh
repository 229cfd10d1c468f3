#!/usr/bin/env bash
# A Readiness cluster on this machine: N silos as separate processes on 127.0.0.1, one ClusterId,
# joined through the ADO.NET membership table in the project's PostgreSQL.
#   infra/cluster.sh start [N] [--databases 2]
#                                build the silo once (Release), start N silos (default 3), wait until each is ready;
#                                with --databases 2, a second PostgreSQL cluster (infra/postgres.sh --cluster 2) holds the
#                                demo's sample province (demo-mau) while Bắc Kạn stays in the first
#   infra/cluster.sh stop        SIGTERM every silo, SIGKILL those still running after READINESS_CLUSTER_STOP_SECONDS (15)
#   infra/cluster.sh status      each silo: pid, ports, whether it runs and what /health/ready says
# Silo i (1..N) listens on silo port 11110+i, gateway 29999+i and HTTP 5080+i.
# Settings: READINESS_CLUSTER_DB (database, default readiness), READINESS_PG_PORT (see infra/postgres.sh).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state="$root/.local/cluster"
database=${READINESS_CLUSTER_DB:-readiness}
cluster_id=readiness-local-cluster
say() { printf 'cluster: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

http_port() { echo $((5080 + $1)); }
silo_port() { echo $((11110 + $1)); }
gateway_port() { echo $((29999 + $1)); }

running() { [ -f "$state/silo-$1.pid" ] && kill -0 "$(cat "$state/silo-$1.pid")" 2>/dev/null; }

ready_answer() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$(http_port "$1")/health/ready" || true; }

# The application role's and the owner's connection strings of cluster $1, on the chosen database,
# into app_connection and owner_connection.
app_connection=
owner_connection=
read_connection_strings() {
  local line value
  while IFS= read -r line; do
    value=$(eval "printf '%s' ${line#*=}")
    case "$line" in
      ConnectionStrings__Readiness=*) app_connection=${value/Database=readiness;/Database=$database;} ;;
      ConnectionStrings__ReadinessOwner=*) owner_connection=${value/Database=readiness;/Database=$database;} ;;
    esac
  done <<<"$("$root/infra/postgres.sh" start --cluster "$1")"
}

# The silos' connection string and the migrate step's owner connection.
load_connection_strings() {
  read_connection_strings 1
  export ConnectionStrings__Readiness=$app_connection
}

ensure_database() {
  local cluster=${1:-1}
  [ "$database" = readiness ] && return 0
  "$root/infra/postgres.sh" psql --cluster "$cluster" -d postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1 ||
    "$root/infra/postgres.sh" psql --cluster "$cluster" -d postgres -c "CREATE DATABASE \"$database\" OWNER readiness_owner" >/dev/null
}

# The second database: its own PostgreSQL cluster, mapped to the sample province (Readiness:Databases:0).
second_owner_connection=
load_second_database() {
  local main_owner=$owner_connection
  read_connection_strings 2
  export Readiness__Databases__0__Connection=$app_connection
  second_owner_connection=$owner_connection
  owner_connection=$main_owner
  export Readiness__Databases__0__Name=second
  export Readiness__Databases__0__Provinces__0=demo-mau
  export Readiness__Demo__SampleProvince=true
  ensure_database 2
}

start() {
  local count=3 databases=1 i pid
  while [ $# -gt 0 ]; do
    case "$1" in
      --databases) databases=${2:-}; shift 2 || die "--databases takes 1 or 2" ;;
      *) count=$1; shift ;;
    esac
  done
  [[ "$count" =~ ^[1-9][0-9]?$ ]] || die "N must be a number from 1 to 99"
  [[ "$databases" =~ ^[12]$ ]] || die "--databases takes 1 or 2 (the demo has two provinces to spread)"
  mkdir -p "$state"
  for i in $(seq 1 "$count"); do
    running "$i" && die "silo $i already runs (pid $(cat "$state/silo-$i.pid")); infra/cluster.sh stop first"
    if (: >"/dev/tcp/127.0.0.1/$(http_port "$i")") 2>/dev/null; then die "port $(http_port "$i") is taken by another process"; fi
  done
  load_connection_strings
  ensure_database
  if [ "$databases" = 2 ]; then load_second_database; fi
  say "building the silo (Release)"
  (cd "$root" && dotnet build silo/Readiness.Silo -c Release -v q -nologo >"$state/build.log" 2>&1) ||
    { tail -n 30 "$state/build.log" >&2; die "the build failed; see $state/build.log"; }
  local dll="$root/silo/Readiness.Silo/bin/Release/net10.0/Readiness.Silo.dll"
  # The owner applies the schema once, before any silo starts; the silos serve with the application role alone.
  say "applying the schema (migrate, as the owner)"
  (cd "$root/silo/Readiness.Silo" && { [ -z "$second_owner_connection" ] || export Readiness__Databases__0__OwnerConnection="$second_owner_connection"; } &&
    ConnectionStrings__ReadinessOwner="$owner_connection" dotnet "$dll" migrate >"$state/migrate.log" 2>&1) ||
    { tail -n 30 "$state/migrate.log" >&2; die "migrate failed; see $state/migrate.log"; }
  # One development key for every silo, made before any starts, so that a token from one is good on all.
  if [ ! -s "$root/.local/dev-signing-key" ]; then
    # umask 077: the key is private from the moment the file exists, not from a chmod after it is written.
    (umask 077 && head -c 48 /dev/urandom | base64 -w0 >"$root/.local/dev-signing-key")
  fi
  for i in $(seq 1 "$count"); do
    (
      cd "$root/silo/Readiness.Silo"
      export ASPNETCORE_ENVIRONMENT=Development
      export Urls="http://127.0.0.1:$(http_port "$i")"
      export Readiness__Orleans__ClusterId=$cluster_id
      export Readiness__Orleans__AdvertisedAddress=127.0.0.1
      export Readiness__Orleans__SiloPort=$(silo_port "$i")
      export Readiness__Orleans__GatewayPort=$(gateway_port "$i")
      export Readiness__Auth__DevelopmentKeyFile="$root/.local/dev-signing-key"
      exec setsid dotnet "$dll" >"$state/silo-$i.log" 2>&1 </dev/null
    ) &
    echo $! >"$state/silo-$i.pid"
    echo "$count" >"$state/count"
    say "silo $i: pid $!, http $(http_port "$i"), silo port $(silo_port "$i"), gateway $(gateway_port "$i"), log $state/silo-$i.log"
  done
  local deadline=$((SECONDS + ${READINESS_CLUSTER_START_SECONDS:-300}))
  for i in $(seq 1 "$count"); do
    until [ "$(ready_answer "$i")" = 200 ]; do
      running "$i" || { tail -n 20 "$state/silo-$i.log" >&2; die "silo $i exited; see $state/silo-$i.log"; }
      [ $SECONDS -lt $deadline ] || die "silo $i is not ready after ${READINESS_CLUSTER_START_SECONDS:-300} s; see $state/silo-$i.log"
      sleep 1
    done
    say "silo $i ready on http://127.0.0.1:$(http_port "$i")"
  done
  say "token: .local/dev-token (good on every silo)"
}

stop() {
  local i pid patience=${READINESS_CLUSTER_STOP_SECONDS:-15} any=0
  [ -d "$state" ] || { say "not running"; return 0; }
  for f in "$state"/silo-*.pid; do
    [ -f "$f" ] || continue
    i=${f##*/silo-}; i=${i%.pid}
    if running "$i"; then kill -TERM "$(cat "$f")"; any=1; fi
  done
  local deadline=$((SECONDS + patience))
  for f in "$state"/silo-*.pid; do
    [ -f "$f" ] || continue
    i=${f##*/silo-}; i=${i%.pid}; pid=$(cat "$f")
    while running "$i" && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
    if running "$i"; then say "silo $i (pid $pid) ignored SIGTERM for $patience s; SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    rm -f "$f"
  done
  [ $any = 1 ] && say "stopped" || say "not running"
}

status() {
  local i count any=1
  count=$(cat "$state/count" 2>/dev/null || echo 0)
  [ "$count" -gt 0 ] || { say "not running"; return 3; }
  for i in $(seq 1 "$count"); do
    if running "$i"; then
      any=0
      printf 'silo %s: pid %s, http %s (ready: %s), silo port %s, gateway %s\n' "$i" "$(cat "$state/silo-$i.pid")" \
        "$(http_port "$i")" "$(ready_answer "$i")" "$(silo_port "$i")" "$(gateway_port "$i")"
    else
      printf 'silo %s: not running\n' "$i"
    fi
  done
  return $((any * 3))
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) status ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
