"""Two collectors (or a poller and a stream) may land the same messages at the same time, in any
order: both calls must succeed, every message must land (or be quarantined) exactly once, and
nothing may deadlock."""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest

from collector.sim.synthetic import grid_intersections
from tsi_fixtures import drop_day_partitions

VEHICLES = 2_000
BASE_ID = 880_000_000 + random.randrange(1_000) * 10 * VEHICLES  # fresh ids when run again by hand
TS_MS = 1_779_926_400_000  # 2026-05-28 00:00:00 UTC


def bsm(vehicle: int, lat: float, lon: float, speed: float) -> str:
    return json.dumps({
        "timestamp": TS_MS, "rsuName": "concurrency",
        "bsmJson": {"coreData": {"id": BASE_ID + vehicle, "msgCnt": vehicle % 128, "secMark": 0,
                                 "lat": lat, "lon": lon, "speed": speed, "heading": 90.0,
                                 "accelSet": {"lon": 0.0, "lat": 0.0}}},
    })


def land(connect: Callable[..., psycopg.Connection], payloads: list[str], barrier: threading.Barrier,
         results: dict[str, object], name: str) -> None:
    batch = uuid.uuid4()
    try:
        with connect(user="collector") as conn:
            with conn.cursor().copy(
                    "COPY tsi.message_staging (batch_id, msg_type, received_at, payload) FROM STDIN") as copy:
                for payload in payloads:
                    copy.write_row((batch, "bsm", "2026-05-28 00:00:01+00", payload))
            barrier.wait(timeout=30)
            results[name] = conn.execute("CALL tsi.land_batch(%s)", (batch,)).fetchone()
    except Exception as exc:  # reported by the assertion below
        results[name] = exc


@pytest.fixture
def new_day(connect: Callable[..., psycopg.Connection]) -> Iterator[None]:
    """The batches land on a day with no partitions yet (that race is part of the test); its
    partitions and pending minutes are dropped afterwards so that the schema stays as deployed
    (make test compares dumps)."""
    yield
    with connect(autocommit=True) as conn:
        drop_day_partitions(conn, "2026-05-28", "2026-05-29")


@pytest.mark.parametrize("speed, table, offset", [
    (10.0, "bsm_messages", 0),              # valid: the raw table's key decides
    (163.82, "quarantine", VEHICLES),       # the "unavailable" sentinel: the quarantine's hash decides
])
def test_the_same_messages_landed_concurrently_in_opposite_orders_land_once(
        connect: Callable[..., psycopg.Connection], new_day: None, speed: float, table: str, offset: int) -> None:
    ix = grid_intersections(1)[0]
    with connect(autocommit=True) as conn:
        conn.execute("INSERT INTO tsi.intersections (id, name, latitude, longitude) VALUES (%s, 'concurrency', %s, %s)"
                     " ON CONFLICT (id) DO NOTHING", (ix.id, ix.latitude, ix.longitude))
    payloads = [bsm(offset + v, ix.latitude + v * 1e-7, ix.longitude, speed) for v in range(VEHICLES)]
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}
    threads = [threading.Thread(target=land, args=(connect, p, barrier, results, n))
               for n, p in (("forward", payloads), ("backward", payloads[::-1]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    for name in ("forward", "backward"):
        assert not isinstance(results[name], Exception), f"{name} batch failed: {results[name]}"
    # received, landed, duplicates, quarantined, unassigned
    counts = [r[:4] for r in results.values()]  # type: ignore[index]
    assert all(c[0] == VEHICLES for c in counts), counts
    with connect() as conn:
        if table == "bsm_messages":
            assert sum(c[1] for c in counts) == VEHICLES and sum(c[2] for c in counts) == VEHICLES, counts
            kept = conn.execute("SELECT count(*) FROM tsi.bsm_messages WHERE vehicle_id >= %s AND vehicle_id < %s",
                                (BASE_ID, BASE_ID + VEHICLES)).fetchone()[0]
        else:
            assert all(c[3] == VEHICLES for c in counts), counts  # both calls report them quarantined
            kept = conn.execute("SELECT count(*) FROM tsi.quarantine WHERE reason = 'invalid_speed'"
                                " AND (payload -> 'bsmJson' -> 'coreData' ->> 'id')::bigint BETWEEN %s AND %s",
                                (BASE_ID + VEHICLES, BASE_ID + 2 * VEHICLES - 1)).fetchone()[0]
    assert kept == VEHICLES
