#!/usr/bin/env bash
# Entrypoint of the compose database image (db/Dockerfile): TLS and the WAL archive's directory
# first, then the postgres image's own docker-entrypoint.sh. WAL segments are archived to
# /var/lib/postgresql/wal_archive (volume db_wal_archive; archive_command in db/Dockerfile). PostgreSQL serves TLS with /var/lib/postgresql/tls/server.{crt,key}
# (volume db_tls) and accepts no unencrypted TCP login (db/pg_hba.compose.conf). When no
# certificate is there at start, it makes one: a CA whose key is thrown away once it has signed a
# server certificate for "db" and the names in DB_TLS_NAMES. The CA certificate is published in
# /var/lib/postgresql/ca/ca.crt (volume db_ca), which the clients mount read-only and verify the
# server against (sslmode=verify-full). To use your own certificate, put server.crt and
# server.key in db_tls and the CA's certificate as ca.crt in db_ca before the first start.
set -euo pipefail
tls=/var/lib/postgresql/tls ca=/var/lib/postgresql/ca wal_archive=/var/lib/postgresql/wal_archive

san() {  # subjectAltName for db and DB_TLS_NAMES (comma-separated host names and IP addresses)
  local n names="${DB_TLS_NAMES:-localhost,127.0.0.1}" out="DNS:db"
  for n in ${names//,/ }; do
    if [[ "$n" =~ ^[0-9.]+$|: ]]; then out+=",IP:$n"; else out+=",DNS:$n"; fi
  done
  echo "$out"
}

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$tls" "$ca" "$wal_archive" && chown postgres:postgres "$wal_archive" && chmod 0700 "$wal_archive"
  if [ ! -s "$tls/server.crt" ] || [ ! -s "$tls/server.key" ]; then
    work="$(mktemp -d)"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
      -subj "/CN=trafficsafety database CA" -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=db" \
      -keyout "$tls/server.key" -out "$work/server.csr" 2>/dev/null
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$(san)" > "$work/ext"
    openssl x509 -req -in "$work/server.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial \
      -days 825 -extfile "$work/ext" -out "$tls/server.crt" 2>/dev/null
    cp "$work/ca.crt" "$ca/ca.crt"
    rm -rf "$work"
    echo "TLS: generated a CA and a server certificate for $(san)"
  fi
  [ -s "$ca/ca.crt" ] || { echo "TLS: $tls holds a certificate but $ca/ca.crt is missing" >&2; exit 1; }
  chown -R postgres:postgres "$tls" && chmod 0600 "$tls/server.key" && chmod 0644 "$ca/ca.crt"
fi
exec docker-entrypoint.sh "$@"
