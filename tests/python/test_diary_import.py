"""`make load-segments`: GeoJSON import of street segments, run as the command a user runs."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]


def feature(segment_id: object, coords: list[list[float]], **props: object) -> dict[str, object]:
    return {"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
            "properties": {"segment_id": segment_id, "street": "Import St", **props}}


def run(path: Path, test_db: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(ROOT / "db" / "scripts" / "load_segments.sh"), str(path)],
                          env={**os.environ, "TSDB_DB": test_db}, capture_output=True, text=True, timeout=120)


def summary(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("inserted "))


def test_import_is_idempotent_and_reports_rejects(
    tmp_path: Path, test_db: str, connect: Callable[..., psycopg.Connection]
) -> None:
    p = "imp-" + uuid.uuid4().hex[:8] + "-"
    features = [
        feature(p + "1", [[-75.5, 39.5], [-75.499, 39.5]], neighborhood="Old Town", length_m=86.0),
        feature(p + "2", [[-75.499, 39.5], [-75.498, 39.5]]),  # length from the geometry
        feature(p + "3", [[-75.5, 39.5]]),
        feature(None, [[-75.5, 39.5], [-75.5, 39.501]]),
        feature(p + "5", [[-75.5, 39.5], [-75.5, 39.501]], length_m=-3),
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-75.5, 39.5]}, "properties": {"segment_id": p + "6"}},
        feature(p + "1", [[-75.5, 39.5], [-75.499, 39.5]]),
    ]
    path = tmp_path / "segments.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    try:
        first = run(path, test_db)
        assert first.returncode == 0, first.stderr
        assert summary(first.stdout) == "inserted 2, updated 0, unchanged 0, rejected 5"
        assert f"rejected {p}3: geometry: at least two points of WGS84 longitude, latitude" in first.stdout
        assert "rejected feature 4: segment_id: required, at most 50 characters" in first.stdout
        assert f"rejected {p}5: length_m: must be a positive number" in first.stdout
        assert f"rejected {p}6: geometry: must be a LineString" in first.stdout
        assert f"rejected {p}1: segment_id: appears more than once in the file" in first.stdout
        with connect() as conn:
            rows = conn.execute("SELECT segment_id, neighborhood, length_m FROM diary.segments WHERE segment_id LIKE %s ORDER BY 1",
                                (p + "%",)).fetchall()
            assert rows[0][1:] == ("Old Town", 86)
            assert 80 < rows[1][2] < 90  # 0.001° of longitude at 39.5° N is about 86 m
            assert conn.execute("SELECT count(*) FROM diary.graph_edges WHERE segment_id LIKE %s", (p + "%",)).fetchone() == (2,)

        again = run(path, test_db)
        assert summary(again.stdout) == "inserted 0, updated 0, unchanged 2, rejected 5"

        features[1]["properties"]["street"] = "Renamed St"  # type: ignore[index]
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        assert summary(run(path, test_db).stdout) == "inserted 0, updated 1, unchanged 1, rejected 5"

        path.write_text(json.dumps({"type": "Feature"}))
        refused = run(path, test_db)
        assert refused.returncode == 1 and "file: must be a GeoJSON FeatureCollection" in refused.stderr
    finally:
        with connect() as conn:
            conn.execute("DELETE FROM diary.segments WHERE segment_id LIKE %s", (p + "%",))


def test_bad_features_are_rejected_alone_and_pieces_reported(
    tmp_path: Path, test_db: str, connect: Callable[..., psycopg.Connection]
) -> None:
    """A 3-D, an over-long and an invalid feature: release 1.0 refused the whole file, unnamed."""
    p = "imq-" + uuid.uuid4().hex[:8] + "-"
    features = [feature(p + f"a{i}", [[-75.6 + i * 0.001, 39.6], [-75.599 + i * 0.001, 39.6]]) for i in range(8)] + [
        feature(p + "c", [[-75.58, 39.6], [-75.579, 39.6]]),  # 1 km east of the chain: a piece apart
        feature(p + "3d", [[-75.6, 39.6, 10.0], [-75.599, 39.6, 11.0]]),
        feature(p + "long", [[-75.6, 39.6], [-75.6, 39.7]]),  # 11 km
        feature(p + "invalid", [[-75.6, 39.6], [-75.6, 39.6]], length_m=10),
    ]
    path = tmp_path / "segments.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    try:
        with connect() as conn:
            largest = conn.execute("SELECT largest_segments FROM diary.graph_pieces('{}')").fetchone()
        assert largest is not None and largest[0] != 8
        out = run(path, test_db)
        assert out.returncode == 0, out.stderr
        assert summary(out.stdout) == "inserted 9, updated 0, unchanged 0, rejected 3"
        assert f"rejected {p}3d: geometry: positions must be [longitude, latitude] (no elevation" in out.stdout
        assert f"rejected {p}long: length_m: 11" in out.stdout and "(segment_max_length_m 5000 m)" in out.stdout
        assert f"rejected {p}invalid: geometry: not a valid LineString (Too few points" in out.stdout
        # the chain of 8 is one piece, c another; the chain is the largest component unless the
        # test database already holds a larger one
        apart = "1 pieces (1 segments)" if largest[0] < 8 else "2 pieces (9 segments)"
        assert f"this file's segments make {apart} not connected to it" in out.stdout, out.stdout
        with connect() as conn:
            assert conn.execute("SELECT count(*) FROM diary.graph_edges WHERE segment_id LIKE %s", (p + "%",)).fetchone() == (9,)
    finally:
        with connect() as conn:
            conn.execute("DELETE FROM diary.segments WHERE segment_id LIKE %s", (p + "%",))
