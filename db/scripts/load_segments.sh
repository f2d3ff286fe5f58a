#!/usr/bin/env bash
# `make load-segments FILE=...`: upserts a GeoJSON FeatureCollection of street segments into the
# dev database (TSDB_DB) and reports inserted / updated / unchanged / rejected (with reasons).
source "$(dirname "$0")/common.sh"
[ -n "${1:-}" ] || die "usage: make load-segments FILE=segments.geojson"
TSDB_DB="$DB_NAME" exec "$VENV/bin/python" "$ROOT/db/scripts/load_segments.py" "$1"
