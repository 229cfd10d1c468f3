#!/usr/bin/env bash
# Runs Readiness on this machine: the project's PostgreSQL (installed if missing), then the silo with
# the Bắc Kạn demo province at http://127.0.0.1:5080. Ctrl+C stops the silo; the database keeps running
# (infra/postgres.sh stop stops it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

connection_strings=$(infra/postgres.sh start)
# The owner role reaches only the migrate step; the superuser stays with the scripts.
while IFS= read -r line; do
  case "$line" in
    ConnectionStrings__Readiness=*|ConnectionStrings__ReadinessOwner=*) export "${line%%=*}=$(eval "printf '%s' ${line#*=}")" ;;
  esac
done <<<"$connection_strings"

# The schema is applied as the owner, before the silo starts; the silo itself is given the application
# role alone, which can only append events and the log, so a silo taken over cannot rewrite the record.
echo "Applying the schema (owner role)" >&2
dotnet run --project silo/Readiness.Silo -c Release -- migrate
# Empty, not unset: appsettings.json names the owner for a bare `dotnet run`, and this must override it.
export ConnectionStrings__ReadinessOwner=

# The development signing key and the printed token live in the repository's .local, where the CLI looks.
export Readiness__Auth__DevelopmentKeyFile="$PWD/.local/dev-signing-key"

echo "Starting the silo on http://127.0.0.1:5080 (first build takes a minute; /health/ready turns 200 when the demo is loaded; the dashboard's address with a development token is logged and the token kept in .local/dev-token)" >&2
exec dotnet run --project silo/Readiness.Silo -c Release -- "$@"
