#!/usr/bin/env bash
# Development certificates for the Orleans ports of a cluster that is not on loopback (infra/compose.yaml):
# a CA of its own and, for each silo name given, a certificate it both serves and dials with.
#   infra/dev-certs.sh [name ...]      default: silo-1 silo-2; writes infra/.certs/ (never committed),
#                                      or $READINESS_CERTS_DIR when set
# Private keys are the user's alone (0600); certificates are public (0644). The compose silos run as the
# image's root, which reads a 0600 key mounted from the host.
# A silo is given its certificate with Readiness__Orleans__Tls__CertificatePath / __KeyPath and trusts
# peers issued by Readiness__Orleans__Tls__CaPath that carry serverAuth and clientAuth and a name
# Readiness__Orleans__Tls__PeerNames__0 … matches (silo-* by default: other names need it set).
# Existing files are kept, so running it again only adds missing names. For production, issue the
# certificates from your own CA the same way.
set -euo pipefail

out="${READINESS_CERTS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/.certs}"
[ "$#" -gt 0 ] || set -- silo-1 silo-2
umask 077
mkdir -p "$out"

if [ ! -f "$out/ca.pem" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
    -subj "/CN=Readiness development cluster CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$out/ca.key" -out "$out/ca.pem" 2>/dev/null
fi

for name in "$@"; do
  [ -f "$out/$name.pem" ] && continue
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
    -keyout "$out/$name.key" -out "$out/$name.csr" 2>/dev/null
  # Both usages: a silo accepts connections and opens them to the other silos with the same certificate.
  openssl x509 -req -in "$out/$name.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" -set_serial "0x$(openssl rand -hex 16)" -days 825 \
    -extfile <(printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:%s\n' "$name") \
    -out "$out/$name.pem" 2>/dev/null
  rm -f "$out/$name.csr"
done
chmod 644 "$out"/*.pem
# Keys an older version of this script left readable by everyone are narrowed too.
chmod 600 "$out"/*.key
# The silo image runs as its unprivileged user (uid 1654), which must read its own key; the CA's stays root's.
if [ "$(id -u)" = 0 ]; then
  for key in "$out"/*.key; do
    [ "$key" = "$out/ca.key" ] || chown 1654 "$key"
  done
fi
echo "certificates in $out: $(cd "$out" && ls ./*.pem | tr '\n' ' ')"
