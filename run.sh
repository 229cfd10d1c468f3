#!/usr/bin/env bash
# Runs Readiness on this machine: the project's PostgreSQL (installed if missing), then the silo with
# the Bắc Kạn demo province at http://127.0.0.1:5080. Ctrl+C stops the silo; the database keeps running
# (infra/postgres.sh stop stops it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

connection_strings=$(infra/postgres.sh start)
# The owner applies the schema in a step of its own; the silo gets the application role alone, and the
# superuser stays with the scripts.
owner_connection=
while IFS= read -r line; do
  case "$line" in
    ConnectionStrings__Readiness=*) export "${line%%=*}=$(eval "printf '%s' ${line#*=}")" ;;
    ConnectionStrings__ReadinessOwner=*) owner_connection=$(eval "printf '%s' ${line#*=}") ;;
  esac
done <<<"$connection_strings"

# The development signing key and the printed token live in the repository's .local, where the CLI looks.
export Readiness__Auth__DevelopmentKeyFile="$PWD/.local/dev-signing-key"
# So are the tree heads kept outside the database, which the silo reads back before it signs the next.
export Readiness__Log__HeadDirectory="$PWD/.local/tree-heads"

echo "Starting the silo on http://127.0.0.1:5080 (first build takes a minute; /health/ready turns 200 when the demo is loaded; the dashboard's address with a development token is logged and the token kept in .local/dev-token)" >&2
ConnectionStrings__ReadinessOwner="$owner_connection" dotnet run --project silo/Readiness.Silo -c Release -- migrate
exec dotnet run --no-build --project silo/Readiness.Silo -c Release -- "$@"
