#!/usr/bin/env bash
# The secrets infra/compose.yaml mounts, made once in infra/.secrets/ (never committed; .gitignore'd):
# random passwords for PostgreSQL's three roles, the connection strings built from them, the bearer-token
# key, the P-256 key that signs tree heads and upward reports, the HTTPS certificate the silos serve the
# API with, and the Prometheus login. Existing files are kept, so running it again changes nothing.
#   infra/compose-secrets.sh
# Needs openssl, and htpasswd (Debian: apache2-utils) for Prometheus' bcrypt password hash.
# Each file is readable by its container's user alone: the .NET images run as uid 1654, PostgreSQL as
# 999, Prometheus as 65534; compose bind-mounts the files with their owner and mode as they are here.
set -euo pipefail

out="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/.secrets"
mkdir -p "$out"
umask 077
command -v htpasswd >/dev/null || { echo "compose-secrets: htpasswd is missing (Debian: apt-get install apache2-utils)" >&2; exit 1; }

secret() { [ -s "$out/$1" ] || openssl rand -hex 24 >"$out/$1"; }
secret postgres-superuser-password
secret readiness-owner-password
secret readiness-app-password
secret prometheus-password
[ -s "$out/Readiness__Auth__SigningKey" ] || openssl rand -base64 48 | tr -d '\n' >"$out/Readiness__Auth__SigningKey"
[ -s "$out/report-key.pem" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/report-key.pem"

connection() { printf 'Host=postgres;Port=5432;Database=readiness;Username=%s;Password=%s;SSL Mode=Disable' "$1" "$(cat "$out/$2")"; }
[ -s "$out/ConnectionStrings__Readiness" ] || connection readiness_app readiness-app-password >"$out/ConnectionStrings__Readiness"
[ -s "$out/ConnectionStrings__ReadinessOwner" ] || connection readiness_owner readiness-owner-password >"$out/ConnectionStrings__ReadinessOwner"

# The API's certificate, for the names a browser on the host and the other containers use.
if [ ! -s "$out/https.pem" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 397 -subj "/CN=readiness" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:silo-1,DNS:silo-2" \
    -addext "extendedKeyUsage=serverAuth" -keyout "$out/https.key" -out "$out/https.pem" 2>/dev/null
fi

if [ ! -s "$out/prometheus-web.yml" ]; then
  hash=$(htpasswd -nbBC 10 prometheus "$(cat "$out/prometheus-password")" | cut -d: -f2)
  printf 'basic_auth_users:\n  prometheus: %s\n' "$hash" >"$out/prometheus-web.yml"
fi
# Prometheus scrapes each silo's /metrics with a viewer token over '*': mint it once the cluster runs
# (readiness token --subject prometheus --scope '*' --role viewer) and write it to infra/.secrets/metrics-token.
[ -e "$out/metrics-token" ] || : >"$out/metrics-token"

chmod 600 "$out"/*
# A certificate is public: Prometheus checks the silos against it.
chmod 644 "$out"/https.pem
if [ "$(id -u)" = 0 ]; then
  chown 999 "$out"/postgres-superuser-password "$out"/readiness-owner-password "$out"/readiness-app-password
  chown 1654 "$out"/ConnectionStrings__* "$out"/Readiness__Auth__SigningKey "$out"/report-key.pem "$out"/https.*
  chown 65534 "$out"/prometheus-web.yml "$out"/metrics-token
else
  echo "compose-secrets: not root, so the files stay yours; give each to its container's user (see the top of this script) before 'docker compose up'" >&2
fi
echo "secrets in $out; the Prometheus login is 'prometheus' with the password in $out/prometheus-password"
