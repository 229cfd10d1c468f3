#!/usr/bin/env bash
# The secrets of a production-shaped deployment, made once under infra/.secrets/ (never committed;
# .gitignore'd), one directory per reader so that each is given what it needs and nothing more:
#   silo/      ConnectionStrings__Readiness, Readiness__Auth__SigningKey, report-key.pem, head-key.pem, https.pem, https.key:
#              a silo's Readiness__SecretsDirectory (without Docker) or its compose secrets
#   migrate/   ConnectionStrings__ReadinessOwner and ConnectionStrings__Readiness: the schema owner's step alone
#   postgres/  the three roles' passwords, for the server's first start
#   prometheus/ its bcrypt login (prometheus-web.yml), the password behind it, and the token it scrapes with
# Existing files are kept, so running it again changes nothing. Only the keys that sign now are made: a key's
# next and retired files belong to one rotation (docs/operations.md, "Rotating a signing key", With compose).
#   infra/compose-secrets.sh [--database HOST:PORT]
# --database is where the silos reach PostgreSQL (default postgres:5432, the compose service); give the
# address of your own server when running without Docker (docs/operations.md, "Deploying").
# Needs openssl, and htpasswd (Debian: apache2-utils) for Prometheus' bcrypt password hash.
# Each file is readable by its user alone: the .NET images run as uid 1654, PostgreSQL as 999,
# Prometheus as 65534; compose bind-mounts the files with their owner and mode as they are here.
set -euo pipefail

database=postgres:5432
while [ $# -gt 0 ]; do
  case "$1" in
    --database) database=${2:?--database takes HOST:PORT}; shift 2 ;;
    *) echo "compose-secrets: unknown argument '$1'; usage: infra/compose-secrets.sh [--database HOST:PORT]" >&2; exit 2 ;;
  esac
done
[[ "$database" =~ ^[A-Za-z0-9.-]+:[0-9]+$ ]] || { echo "compose-secrets: --database is HOST:PORT, such as 127.0.0.1:5432" >&2; exit 2; }

out="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/.secrets"
umask 077
mkdir -p "$out/silo" "$out/migrate" "$out/postgres" "$out/prometheus"
command -v htpasswd >/dev/null || { echo "compose-secrets: htpasswd is missing (Debian: apt-get install apache2-utils)" >&2; exit 1; }

# Files an earlier version of this script left flat in infra/.secrets/ move to their reader's directory,
# so that a rerun keeps the passwords a running deployment already uses.
for moved in postgres/postgres-superuser-password postgres/readiness-owner-password postgres/readiness-app-password \
  prometheus/prometheus-password prometheus/prometheus-web.yml prometheus/metrics-token silo/Readiness__Auth__SigningKey \
  silo/report-key.pem silo/https.pem silo/https.key silo/ConnectionStrings__Readiness migrate/ConnectionStrings__ReadinessOwner; do
  [ -e "$out/${moved#*/}" ] && [ ! -e "$out/$moved" ] && mv "$out/${moved#*/}" "$out/$moved"
done

secret() { [ -s "$out/$1" ] || openssl rand -hex 24 >"$out/$1"; }
secret postgres/postgres-superuser-password
secret postgres/readiness-owner-password
secret postgres/readiness-app-password
secret prometheus/prometheus-password
[ -s "$out/silo/Readiness__Auth__SigningKey" ] || openssl rand -base64 48 | tr -d '\n' >"$out/silo/Readiness__Auth__SigningKey"
[ -s "$out/silo/report-key.pem" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/silo/report-key.pem"
# Heads have a key of their own: nothing the report key signs may pass for a head.
[ -s "$out/silo/head-key.pem" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/silo/head-key.pem"

connection() { printf 'Host=%s;Port=%s;Database=readiness;Username=%s;Password=%s;SSL Mode=Disable' "${database%:*}" "${database##*:}" "$1" "$(cat "$out/postgres/$2")"; }
[ -s "$out/silo/ConnectionStrings__Readiness" ] || connection readiness_app readiness-app-password >"$out/silo/ConnectionStrings__Readiness"
[ -s "$out/migrate/ConnectionStrings__ReadinessOwner" ] || connection readiness_owner readiness-owner-password >"$out/migrate/ConnectionStrings__ReadinessOwner"
# migrate grants the application role its rights, so it reads the role's connection too.
cp "$out/silo/ConnectionStrings__Readiness" "$out/migrate/ConnectionStrings__Readiness"

# The API's certificate, for the names a browser on the host and the other containers use.
if [ ! -s "$out/silo/https.pem" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 397 -subj "/CN=readiness" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:silo-1,DNS:silo-2" \
    -addext "extendedKeyUsage=serverAuth" -keyout "$out/silo/https.key" -out "$out/silo/https.pem" 2>/dev/null
fi

if [ ! -s "$out/prometheus/prometheus-web.yml" ]; then
  hash=$(htpasswd -nbBC 10 prometheus "$(cat "$out/prometheus/prometheus-password")" | cut -d: -f2)
  printf 'basic_auth_users:\n  prometheus: %s\n' "$hash" >"$out/prometheus/prometheus-web.yml"
fi
# Prometheus scrapes each silo's /metrics with a viewer token over '*': mint it once the cluster runs
# (docs/operations.md, "Deploying") and write it to infra/.secrets/prometheus/metrics-token.
[ -e "$out/prometheus/metrics-token" ] || : >"$out/prometheus/metrics-token"

chmod 700 "$out"/*/
chmod 600 "$out"/*/*
# A certificate is public: Prometheus checks the silos against it.
chmod 644 "$out"/silo/https.pem
if [ "$(id -u)" = 0 ]; then
  chown 999 "$out"/postgres/*
  chown 1654 "$out"/silo/* "$out"/migrate/*
  chown 65534 "$out"/prometheus/prometheus-web.yml "$out"/prometheus/metrics-token
else
  echo "compose-secrets: not root, so the files stay yours; for 'docker compose up', give each to its container's user (see the top of this script)" >&2
fi
echo "secrets in $out (silo/, migrate/, postgres/, prometheus/); the Prometheus login is 'prometheus' with the password in $out/prometheus/prometheus-password"
