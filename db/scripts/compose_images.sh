#!/usr/bin/env bash
# Prepares podman to run docker-compose.yml on this machine, with no Docker engine and no image
# registry: configures podman (runc, ulimits that fit the machine), imports a Debian bookworm base
# image made by debootstrap, and builds stand-ins for the compose file's upstream images from
# Debian packages and npm's PostgREST binary (all but pgAdmin's and Grafana's), tagged with the upstream names so the
# project's Dockerfiles and compose file resolve them locally and pull nothing.
# Idempotent: the base image and the stand-ins' layers stay in podman's store
# (/var/lib/containers/storage) between runs, the debootstrap tree in $COMPOSE_CACHE.
source "$(dirname "$0")/common.sh"

COMPOSE_CACHE="${TSDB_COMPOSE_CACHE:-/var/lib/trafficsafety/compose}"
STANDINS="$ROOT/tests/compose/standins"
BASE_IMAGE=localhost/tsdb-base:bookworm

[ "$(id -u)" = 0 ] || die "podman's containers need root here (no user namespaces set up): run as root"

# runc, cgroupfs and a file event log: there is no systemd. The container's default ulimits may
# not exceed ours: without CAP_SYS_RESOURCE runc cannot raise them (podman asks for 1048576 open
# files), and conmon runs with at most 32768 processes.
configure_podman() {
  local nofile nproc conf=/etc/containers/containers.conf.d/tsdb.conf want
  nofile="$(ulimit -Hn)"; nproc="$(ulimit -Hu)"
  [ "$nofile" = unlimited ] && nofile=1048576
  { [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
  want="$(printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' \
    "$nofile" "$nofile" "$nproc" "$nproc")"
  if [ "$(cat "$conf" 2>/dev/null)" != "$want" ]; then
    mkdir -p "$(dirname "$conf")" && printf '%s\n' "$want" > "$conf"
  fi
}

base_image() {
  podman image exists "$BASE_IMAGE" && return 0
  local tree="$COMPOSE_CACHE/bookworm-minbase"
  if [ ! -x "$tree/usr/bin/apt-get" ]; then
    log "debootstrap --variant=minbase bookworm into $tree"
    rm -rf "$tree.tmp" && mkdir -p "$COMPOSE_CACHE"
    debootstrap --variant=minbase bookworm "$tree.tmp" http://deb.debian.org/debian > "$COMPOSE_CACHE/debootstrap.log" 2>&1 \
      || { tail -n 20 "$COMPOSE_CACHE/debootstrap.log" >&2; die "debootstrap failed"; }
    rm -rf "$tree.tmp"/var/cache/apt/archives/*.deb "$tree.tmp"/var/lib/apt/lists/*
    mv "$tree.tmp" "$tree"
  fi
  log "importing $tree as $BASE_IMAGE"
  tar -C "$tree" -c . | podman import --change 'CMD ["bash"]' - "$BASE_IMAGE" >/dev/null
}

build() {  # build TAG CONTAINERFILE [CONTEXT [TARGET]]
  local ctx="${3:-$STANDINS}" log="$COMPOSE_CACHE/build-${2%.Containerfile}${4:+-$4}.log"
  podman build --quiet ${4:+--target "$4"} -t "$1" -f "$ctx/$2" "$ctx" > "$log" 2>&1 \
    || { tail -n 30 "$log" >&2; die "building the stand-in $1 failed (log $log)"; }
}

standins() {
  [ -x "$POSTGREST_BIN" ] || die "no PostgREST binary at $POSTGREST_BIN: run make bootstrap"
  local ctx; ctx="$(mktemp -d)"
  cp "$STANDINS"/*.Containerfile "$ctx/"
  cp "$POSTGREST_BIN" "$ctx/postgrest"
  # pip in the images must trust what this machine trusts (a TLS-inspecting proxy's CA, say).
  mkdir -p "$ctx/local-ca"
  cp /usr/local/share/ca-certificates/*.crt "$ctx/local-ca/" 2>/dev/null || true
  build docker.io/postgis/postgis:15-3.3 postgis.Containerfile
  build docker.io/library/nginx:1.22 nginx.Containerfile
  build docker.io/library/python:3.11-slim python.Containerfile "$ctx"
  build docker.io/postgrest/postgrest:v12.0.2 postgrest.Containerfile "$ctx"
  # the monitoring profile's (prometheus.Containerfile: one stage of packages, a target each)
  build docker.io/prom/prometheus:v2.42.0 prometheus.Containerfile "$STANDINS" prometheus
  build docker.io/prom/alertmanager:v0.25.0 prometheus.Containerfile "$STANDINS" alertmanager
  build quay.io/prometheuscommunity/postgres-exporter:v0.11.1 prometheus.Containerfile "$STANDINS" postgres-exporter
  build docker.io/nginx/nginx-prometheus-exporter:0.11.0 prometheus.Containerfile "$STANDINS" nginx-exporter
  build docker.io/prom/node-exporter:v1.5.0 prometheus.Containerfile "$STANDINS" node-exporter
  rm -rf "$ctx"
}

mkdir -p "$COMPOSE_CACHE"
configure_podman
base_image
standins
log "stand-ins ready: postgis/postgis:15-3.3 nginx:1.22 postgrest/postgrest:v12.0.2 python:3.11-slim," \
  "prom/prometheus:v2.42.0 prom/alertmanager:v0.25.0 prometheuscommunity/postgres-exporter:v0.11.1" \
  "nginx/nginx-prometheus-exporter:0.11.0 prom/node-exporter:v1.5.0"
