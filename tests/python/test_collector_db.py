"""The collector's landing call with messages Python reads as JSON and PostgreSQL cannot read as
jsonb: each is quarantined with its text kept, and the rest of its batch lands (before, one such
message failed the COPY of the whole batch, which the collector then retried for ever)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest

from collector.db import Database
from collector.messages import Batch, Message
from tsi_fixtures import drop_day_partitions

TS_MS = 1_779_667_200_000  # 2026-05-25 00:00:00 UTC


def bsm(vehicle: int, speed: str) -> str:
    text = json.dumps({"timestamp": TS_MS, "rsuName": "jsonb-edge",
                       "bsmJson": {"coreData": {"id": vehicle, "msgCnt": 1, "secMark": 0, "lat": 38.9,
                                                "lon": -77.1, "speed": "SPEED", "heading": 90.0}}})
    return text.replace('"SPEED"', speed)


@pytest.fixture
def day_dropped_after(connect: Callable[..., psycopg.Connection]) -> Iterator[None]:
    yield
    with connect(autocommit=True) as conn:  # the schema stays as deployed (make test compares dumps)
        drop_day_partitions(conn, "2026-05-25", "2026-05-26")


@pytest.mark.usefixtures("day_dropped_after")
def test_text_that_is_not_storable_jsonb_is_quarantined_and_the_batch_lands(
        test_db: str, connect: Callable[..., psycopg.Connection]) -> None:
    base = 770_000_000 + uuid.uuid4().int % 1_000_000 * 10
    unstorable = ["1e-20000", "1e131072", "NaN", "-Infinity", '"a\\u0000b"', '"\\ud800"', "[" * 3000 + "]" * 3000]
    storable = ["1e-400", "12.5", "0e200000"]  # 1e-400 is 0 in double precision
    received = dt.datetime(2026, 5, 25, 0, 0, 1, tzinfo=dt.timezone.utc)
    texts = [bsm(base + i, s) for i, s in enumerate(unstorable + storable)]
    batch = Batch(uuid.uuid4(), "bsm", [Message("bsm", received, t) for t in texts])
    db = Database(f"dbname={test_db} user=collector")
    db.open(wait=True)
    try:
        landed = db.land(batch)
    finally:
        db.close()
    assert (landed.received, landed.landed, landed.quarantined) == (10, 3, 7)
    with connect() as conn:
        kept = conn.execute("SELECT reason, payload #>> '{}', detail FROM tsi.quarantine WHERE batch_id = %s",
                            (batch.batch_id,)).fetchall()
        speeds = conn.execute("SELECT vehicle_id - %s, speed FROM tsi.bsm_messages WHERE vehicle_id >= %s"
                              " AND vehicle_id < %s AND ts_second = '2026-05-25 00:00:00+00' ORDER BY 1",
                              (base, base, base + 10)).fetchall()
    assert sorted(t for _, t, _ in kept) == sorted(texts[:7]), "each unstorable message is kept as its text"
    assert {r for r, _, _ in kept} == {"not_an_object"}
    assert all("not JSON that PostgreSQL can store" in d for _, _, d in kept), "the detail says why"
    assert speeds == [(7, 0.0), (8, 12.5), (9, 0.0)]
