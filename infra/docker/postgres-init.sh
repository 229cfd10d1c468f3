#!/usr/bin/env bash
# The same roles infra/postgres.sh creates on a development machine: an owner that applies the schema and
# an application role that only reads and writes rows; their passwords come from the secrets compose
# mounts (infra/compose-secrets.sh), never from this file.
set -euo pipefail
owner_password=$(cat /run/secrets/readiness-owner-password)
app_password=$(cat /run/secrets/readiness-app-password)
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$owner_password" -v app_password="$app_password" <<'SQL'
CREATE ROLE readiness_owner LOGIN NOSUPERUSER NOCREATEROLE CREATEDB PASSWORD :'owner_password';
CREATE ROLE readiness_app LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD :'app_password';
CREATE DATABASE readiness OWNER readiness_owner;
SQL
