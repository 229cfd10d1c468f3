#!/usr/bin/env bash
# The project's own PostgreSQL: a cluster in .local/postgres of this checkout, on 127.0.0.1 only.
#   infra/postgres.sh start    install PostgreSQL if missing, create the cluster once, start it (a no-op when running)
#   infra/postgres.sh stop     stop it (a no-op when stopped)
#   infra/postgres.sh restart  pg_ctl restart -m fast: every connection is cut, as in a failover (fault tests)
#   infra/postgres.sh status   say whether it runs; exit 0 when it does, 3 when it does not
#   infra/postgres.sh env      print the connection strings as environment assignments
#   infra/postgres.sh psql     open psql as the superuser (extra arguments go to psql)
#   ... --cluster N            any of the above on the checkout's Nth cluster (default 1), for provinces spread
#                              over databases: cluster N > 1 lives in .local/postgres-N, first on port 55432+N-1
# Settings: READINESS_PG_PORT, the port to start on (default: the one this cluster last ran on, else
# 55432; when another server holds it, the next free one, said on stderr and in the connection strings);
# READINESS_PG_STATE, the cluster's directory (default .local/postgres).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command=${1:-}
[ $# -gt 0 ] && shift
cluster=${READINESS_PG_CLUSTER:-1}
if [ "${1:-}" = --cluster ]; then cluster=${2:-}; shift 2 || true; fi
[[ "$cluster" =~ ^[1-9]$ ]] || { printf 'postgres: --cluster takes a number from 1 to 9\n' >&2; exit 2; }
# Where the cluster lives. A link (made below when the checkout is private) is followed to its real
# path: the server's OS user may not pass through the directories the link sits in.
use_state() {
  state=$1
  if [ -L "$state" ]; then state=$(readlink -f "$state"); fi
  data="$state/data"
  sockets="$state/run"
  log="$state/server.log"
}
if [ "$cluster" = 1 ]; then
  use_state "${READINESS_PG_STATE:-"$root/.local/postgres"}"
  # The port: as asked, else the one this cluster last ran on, else ours.
  port=${READINESS_PG_PORT:-$(cat "$state/port" 2>/dev/null || echo 55432)}
else
  use_state "${READINESS_PG_STATE:-"$root/.local/postgres"}-$cluster"
  # The one it last ran on, else the Nth after the first cluster's.
  port=$(cat "$state/port" 2>/dev/null || echo $((${READINESS_PG_PORT:-55432} + cluster - 1)))
fi
# Development-only secrets for a cluster that listens on loopback alone.
superuser=postgres;        superuser_password=readiness-dev-superuser
owner_role=readiness_owner; owner_password=readiness-dev-owner
app_role=readiness_app;     app_password=readiness-dev-app
database=readiness

say() { printf 'postgres: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

find_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ] && { echo "$dir"; return 0; }
  done
  return 1
}

ensure_installed() {
  bin=$(find_bin) && return 0
  [ "$(id -u)" = 0 ] || die "PostgreSQL server binaries are missing; run this as root once so it can 'apt-get install postgresql'."
  say "installing Debian's PostgreSQL server (one time)"
  export DEBIAN_FRONTEND=noninteractive
  local apt_log
  apt_log=$(mktemp)
  # Debian's package may create a default cluster on port 5432; ours does not use it.
  if ! { apt-get update -q && apt-get install -y -q --no-install-recommends postgresql postgresql-contrib; } >"$apt_log" 2>&1; then
    tail -n 30 "$apt_log" >&2
    die "apt-get could not install postgresql (full log: $apt_log)"
  fi
  rm -f "$apt_log"
  bin=$(find_bin) || die "apt-get installed postgresql but no server binaries were found under /usr/lib/postgresql."
}

# The server refuses to run as root, so as root we run it as a dedicated system user.
ensure_os_user() {
  if [ "$(id -u)" != 0 ]; then
    os_user=$(id -un)
    as_user() { "$@"; }
    return 0
  fi
  os_user=readiness-pg
  id -u "$os_user" >/dev/null 2>&1 ||
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$os_user"
  # From /, which every user may enter: the caller's directory may be private to it.
  as_user() { (cd / && runuser -u "$os_user" -- "$@"); }
}

# The cluster must live where its OS user can reach it; a checkout under a private home is not.
ensure_state_dir() {
  mkdir -p "$(dirname "$state")"
  if [ "$(id -u)" = 0 ] && [ ! -L "$state" ] && [ ! -d "$state" ] && ! runuser -u "$os_user" -- test -x "$(dirname "$state")"; then
    local elsewhere
    elsewhere="/var/lib/readiness-pg/$(printf '%s' "$state" | sha256sum | cut -c1-16)"
    mkdir -p "$elsewhere"
    ln -s "$elsewhere" "$state"
    say "the checkout is not reachable by $os_user; keeping the cluster in $elsewhere"
    use_state "$state"
  fi
  mkdir -p "$state"
  if [ "$(id -u)" = 0 ]; then chown "$os_user" "$state"; fi
  as_user mkdir -p "$sockets"
  chmod 0755 "$state"
}

# The server outlives whoever started it (a test run, a build under flock): it must not keep their
# locks or pipes open, or a lock is never released and a pipe never reaches end of file.
without_inherited_fds() {
  (
    for fd in /proc/self/fd/*; do
      n=${fd##*/}
      if [ "$n" -gt 2 ]; then eval "exec $n>&-" 2>/dev/null || true; fi
    done
    "$@"
  )
}

# Taken when a server answers on it, or when a client's connection here holds it as its own end: a
# connection (the silo's pool to another cluster, say) may have a port of this range as its ephemeral
# local port, which nothing answers on but which PostgreSQL still cannot bind. Only a live client end
# counts (established, connecting, or closed by its server: /proc's states 01, 02, 08); what a stopped
# server leaves behind (TIME_WAIT and the like) does not keep PostgreSQL from binding the port again.
port_taken() {
  (: >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
  local hex
  hex=$(printf ':%04X' "$1")
  awk -v end="$hex" 'FNR > 1 && ($4 == "01" || $4 == "02" || $4 == "08") && substr($2, length($2) - 4) == end { found = 1 } END { exit !found }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# Every checkout's clusters choose their ports under one lock, held until the chosen port is listened
# on: otherwise two starting at once (a test run's second cluster and a newcomer's clone, say) both see
# the same port free and the later pg_ctl fails. In /tmp, which every checkout and user shares; opened
# for reading when it exists, for a sticky /tmp refuses an O_CREAT open of another user's file.
ports_lock=/tmp/readiness-pg-ports.lock
hold_ports_lock() {
  [ -e "$ports_lock" ] || (umask 000 && : >>"$ports_lock") 2>/dev/null || true
  exec 8<"$ports_lock"
  flock 8
}
release_ports_lock() { flock -u 8; exec 8<&-; }

free_port_after() {
  local candidate
  for candidate in $(seq $(($1 + 1)) $(($1 + 100))); do
    port_taken "$candidate" || { echo "$candidate"; return 0; }
  done
  return 1
}

# The port the cluster really runs on, when it runs: what env, restart and status must speak of.
follow_running_port() {
  if bin=$(find_bin) && is_running; then port=$(running_port); fi
}

pg_ctl_() { as_user "$bin/pg_ctl" -D "$data" "$@"; }

is_running() { [ -f "$data/PG_VERSION" ] && pg_ctl_ status >/dev/null 2>&1; }

# The fourth line of postmaster.pid is the port the server listens on.
running_port() { sed -n 4p "$data/postmaster.pid" 2>/dev/null; }

init_cluster() {
  [ -f "$data/PG_VERSION" ] && return 0
  say "creating a cluster in $data"
  local pwfile
  # Private from the start (umask 077): only initdb's user may read the superuser's password.
  pwfile=$(umask 077 && mktemp)
  printf '%s\n' "$superuser_password" >"$pwfile"
  # Written before the chown: a sticky /tmp refuses root an O_CREAT open of another user's file.
  if [ "$(id -u)" = 0 ]; then chown "$os_user" "$pwfile"; fi
  as_user "$bin/initdb" -D "$data" -U "$superuser" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$state/initdb.log" 2>&1 ||
    { rm -f "$pwfile"; cat "$state/initdb.log" >&2; die "initdb failed"; }
  rm -f "$pwfile"
  as_user tee -a "$data/postgresql.conf" >/dev/null <<CONF

# Readiness: loopback only, on a port of its own, durable commits.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sockets'
unix_socket_permissions = 0700
max_connections = 300
shared_buffers = 256MB
fsync = on
synchronous_commit = on
log_min_messages = warning
CONF
  as_user tee "$data/pg_hba.conf" >/dev/null <<HBA
# Readiness: the socket is private to the server's OS user; TCP needs a password.
local all all                trust
host  all all 127.0.0.1/32   scram-sha-256
HBA
}

psql_super() { as_user "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$sockets" -p "$port" -U "$superuser" "$@"; }

# Idempotent: roles and the database are created when missing and left alone otherwise.
ensure_roles() {
  psql_super -d postgres >/dev/null <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$owner_role') THEN
    CREATE ROLE $owner_role LOGIN NOSUPERUSER NOCREATEROLE CREATEDB PASSWORD '$owner_password';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$app_role') THEN
    CREATE ROLE $app_role LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD '$app_password';
  END IF;
END
\$\$;
SELECT 'CREATE DATABASE $database OWNER $owner_role' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$database') \gexec
SQL
}

start() {
  ensure_installed
  ensure_os_user
  ensure_state_dir
  exec 9>"$state/.lock"
  flock 9
  init_cluster
  if is_running; then
    # A running cluster keeps its port: whoever already holds its connection strings keeps working.
    port=$(running_port)
    say "already running on 127.0.0.1:$port"
  else
    hold_ports_lock
    if port_taken "$port"; then
      local wanted=$port
      port=$(free_port_after "$port") || die "port $wanted on 127.0.0.1 is taken, and so are the hundred after it; choose one with READINESS_PG_PORT=..."
      say "port $wanted on 127.0.0.1 is taken by another server (another checkout's cluster?); using $port"
    fi
    # A port that looked free may still be bound by a connection's own end (the range is also the
    # kernel's for ephemeral ports): then the next free one, a few times, before giving up.
    local tries=0 next
    until without_inherited_fds pg_ctl_ start -w -t 60 -l "$log" -o "-p $port" >/dev/null; do
      if tries=$((tries + 1)) && [ "$tries" -lt 4 ] && tail -n 20 "$log" | grep -q 'could not bind' \
        && next=$(free_port_after "$port"); then
        say "port $port on 127.0.0.1 could not be bound after all; using $next"
        port=$next
      else
        tail -n 20 "$log" >&2
        die "the server did not start; see $log"
      fi
    done
    release_ports_lock
    say "started on 127.0.0.1:$port"
  fi
  echo "$port" >"$state/port"
  ensure_roles
  flock -u 9
  print_env
}

stop() {
  ensure_os_user
  if ! bin=$(find_bin) || ! is_running; then say "not running"; return 0; fi
  pg_ctl_ stop -m fast -w >/dev/null
  say "stopped"
}

restart() {
  ensure_os_user
  bin=$(find_bin) && is_running || die "not running; start it first"
  port=$(running_port)
  # The port is free for a moment while the server restarts: no other cluster may choose it then.
  hold_ports_lock
  without_inherited_fds pg_ctl_ restart -m fast -w -t 60 -l "$log" -o "-p $port" >/dev/null || { tail -n 20 "$log" >&2; die "the server did not come back; see $log"; }
  release_ports_lock
  say "restarted on 127.0.0.1:$port"
}

status() {
  ensure_os_user
  if bin=$(find_bin) && is_running; then
    say "running on 127.0.0.1:$(running_port), data in $data"
    return 0
  fi
  say "not running"
  return 3
}

conn() { printf 'Host=127.0.0.1;Port=%s;Database=%s;Username=%s;Password=%s' "$port" "$1" "$2" "$3"; }

print_env() {
  echo "ConnectionStrings__Readiness='$(conn "$database" "$app_role" "$app_password")'"
  echo "ConnectionStrings__ReadinessOwner='$(conn "$database" "$owner_role" "$owner_password")'"
  echo "ConnectionStrings__ReadinessSuperuser='$(conn postgres "$superuser" "$superuser_password")'"
}

case "$command" in
  start) start ;;
  stop) stop ;;
  restart) restart ;;
  status) status ;;
  env) ensure_os_user; follow_running_port; print_env ;;
  psql) ensure_os_user; bin=$(find_bin) || die "PostgreSQL is not installed; run: infra/postgres.sh start"; follow_running_port; psql_super -d "$database" "$@" ;;
  *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
