"""The collector's landing call with messages Python reads as JSON and PostgreSQL cannot read as
jsonb: each is quarantined with its text kept, and the rest of its batch lands (before, one such
message failed the COPY of the whole batch, which the collector then retried for ever)."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pyarrow as pa
import pytest

from collector.db import Database, typed_table
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


def typed_batch_texts(base: int) -> tuple[list[str], list[str]]:
    """BSMs and PSMs Arrow types exactly: plain ones, and edge cases only tsi.read_v2x decides
    (sentinels, ranges, magnitudes json_number drops or zeroes, optional integers beyond int4,
    timestamps beyond any date, absent and null fields, text beyond ASCII)."""
    def core(i: int, **changes: object) -> str:
        c: dict[str, object] = {"id": base + i, "msgCnt": i % 128, "secMark": 1000 + i, "lat": 38.9 + i * 1e-5,
                                "lon": -77.1, "elev": 120.0, "speed": 10.25, "heading": 90.0,
                                "accelSet": {"lon": -0.5, "lat": 0.0}, "brakes": {"wheelBrakes": 0},
                                "size": {"length": 480, "width": 190}}
        ts = changes.pop("timestamp", TS_MS + i)
        rsu = changes.pop("rsuName", f"typed-edge-{base}")
        c.update(changes)
        body = {"timestamp": ts, "rsuName": rsu, "bsmJson": {"coreData": {k: v for k, v in c.items() if v != "ABSENT"}}}
        text = json.dumps({k: v for k, v in body.items() if v != "ABSENT"})
        return re.sub(r'"RAW:([^"]*)"', r"\1", text)  # a number written as given, digits Python would not write
    edges: list[dict[str, object]] = [
        {}, {"speed": 163.82}, {"speed": None}, {"speed": "ABSENT"}, {"lat": 0.0, "lon": 0.0}, {"msgCnt": 200},
        {"secMark": 70000}, {"timestamp": TS_MS // 1000}, {"timestamp": TS_MS + 7_200_000}, {"accelSet": {"lon": 20.01}},
        {"elev": 1e16}, {"speed": 1e-310}, {"heading": None}, {"id": "ABSENT"}, {"size": {"length": 3_000_000_000}},
        {"lat": 91.0}, {"id": 10**18 + 5}, {"brakes": None}, {"speed": -0.0},
        {"lat": "RAW:38.90000000000000035527136788005009293556213378906251",
         "lon": "RAW:-77.09999999999999431565811391919851303100585937499", "heading": "RAW:1.5E2"},
        {"heading": "RAW:9.99999999999999999999e-301"},  # json_number: 0; the nearest double: 1e-300
        {"elev": "RAW:1.0e-299", "accelSet": {"lon": "RAW:-0.33333333333333333333333", "lat": "RAW:-0"}},
        {"timestamp": 9_000_000_000_000_000_000}, {"timestamp": -5},  # beyond any timestamp: refused, not a failed COPY
        {"rsuName": None}, {"rsuName": "ABSENT"}, {"rsuName": "Straße-Ω \"7\", ✓"},
    ]
    bsms = [core(i, **e) for i, e in enumerate(edges)]
    psms = [json.dumps({"timestamp": TS_MS + i, "rsuName": f"typed-edge-{base}", "psmJson": {
        "id": base + i, "msgCnt": 5, "secMark": 2000 + i, "basicType": bt, "speed": 1.3, "heading": 90.0,
        "position": {"lat": 38.9, "lon": -77.1 + i * 1e-5, "elev": 120.0}}}) for i, bt in enumerate([1, 2, None, 9, 0, 4])]
    return bsms, psms


@pytest.mark.usefixtures("day_dropped_after")
def test_the_typed_path_lands_exactly_what_the_json_path_lands(
        test_db: str, connect: Callable[..., psycopg.Connection]) -> None:
    """The same messages through tsi.land_typed (Arrow-typed fields, tsi.typed_plain) and through
    tsi.land_batch (tsi.read_v2x of every payload): the same raw rows, the same quarantine with
    the same reasons and details, the same counts."""
    base = 780_000_000 + uuid.uuid4().int % 1_000_000 * 100
    received = dt.datetime(2026, 5, 25, 0, 0, 1, tzinfo=dt.timezone.utc)
    bsms, psms = typed_batch_texts(base)

    def table(kind: str, texts: list[str]) -> pa.Table:
        return pa.table({"msg_type": [kind] * len(texts), "received_at": pa.array([received] * len(texts),
                         pa.timestamp("us", tz="UTC")), "payload": texts})

    def stored(conn: psycopg.Connection, batches: list[uuid.UUID]) -> tuple[list[tuple[object, ...]], ...]:
        bsm_rows = conn.execute("SELECT ts_second, vehicle_id, msg_cnt, sec_mark, ts, received_at, latitude, longitude,"
                                " elevation, speed, heading, accel_lon, accel_lat, wheel_brakes, vehicle_length,"
                                " vehicle_width, rsu_name FROM tsi.bsm_messages WHERE vehicle_id BETWEEN %s AND %s"
                                " ORDER BY 1, 2, 3, 4", (base, base + 99)).fetchall()
        psm_rows = conn.execute("SELECT ts_second, psm_id, msg_cnt, sec_mark, ts, received_at, basic_type, latitude,"
                                " longitude, elevation, speed, heading, rsu_name FROM tsi.psm_messages"
                                " WHERE psm_id BETWEEN %s AND %s ORDER BY 1, 2, 3, 4", (base, base + 99)).fetchall()
        kept = conn.execute("SELECT msg_type, reason, detail, payload FROM tsi.quarantine WHERE batch_id = ANY (%s)"
                            " ORDER BY 1, 2, 3", (batches,)).fetchall()
        return bsm_rows, psm_rows, kept

    assert typed_table("bsm", table("bsm", bsms)) is not None, "Arrow types this batch"
    assert typed_table("bsm", table("bsm", [*bsms, bsm(base + 99, '"fast"')])) is None, \
        "a string where a number belongs: the batch takes the JSON path"
    db = Database(f"dbname={test_db} user=collector")
    db.open(wait=True)
    procedures: list[str] = []
    landing = db._landing

    def spied(copy_rows: Callable[[psycopg.Cursor], None], batch_id: uuid.UUID, procedure: str = "tsi.land_batch") -> object:
        procedures.append(procedure)
        return landing(copy_rows, batch_id, procedure)
    db._landing = spied  # type: ignore[method-assign]
    try:
        typed_ids = [uuid.uuid4(), uuid.uuid4()]
        typed_counts = [db.land_table(typed_ids[0], table("bsm", bsms)), db.land_table(typed_ids[1], table("psm", psms))]
        again = db.land_table(typed_ids[0], table("bsm", bsms))
        with connect(autocommit=True) as conn:
            via_typed = stored(conn, typed_ids)
            conn.execute("DELETE FROM tsi.bsm_messages WHERE vehicle_id BETWEEN %s AND %s", (base, base + 99))
            conn.execute("DELETE FROM tsi.psm_messages WHERE psm_id BETWEEN %s AND %s", (base, base + 99))
            conn.execute("DELETE FROM tsi.quarantine WHERE batch_id = ANY (%s)", (typed_ids,))
        json_ids = [uuid.uuid4(), uuid.uuid4()]
        json_counts = [db.land(Batch(json_ids[0], "bsm", [Message("bsm", received, t) for t in bsms])),
                       db.land(Batch(json_ids[1], "psm", [Message("psm", received, t) for t in psms]))]
        with connect() as conn:
            via_json = stored(conn, json_ids)
    finally:
        db.close()
    assert procedures[:3] == ["tsi.land_typed"] * 3, "the typed path took the batches, no fallback"
    assert typed_counts == json_counts
    assert typed_counts[0].received == len(bsms) and 0 < typed_counts[0].quarantined < len(bsms)
    assert (again.landed, again.duplicates) == (0, typed_counts[0].landed), "a repeated typed landing lands nothing twice"
    for name, a, b in zip(("BSM rows", "PSM rows", "quarantine"), via_typed, via_json):
        assert repr(a) == repr(b), f"{name} differ (repr: -0.0 is not 0.0 here):\n{a}\n{b}"
    assert len(via_typed[0]) == typed_counts[0].landed and len(via_typed[2]) == typed_counts[0].quarantined + typed_counts[1].quarantined


@pytest.mark.usefixtures("day_dropped_after")
def test_a_text_field_postgresql_cannot_store_fails_the_typed_copy_and_the_batch_still_lands(
        test_db: str, connect: Callable[..., psycopg.Connection]) -> None:
    """Arrow types an rsuName holding a NUL character, but no PostgreSQL text can hold it: the
    binary COPY fails, the batch takes the JSON path (which cannot store it either) and then the
    path message by message, where that one message is quarantined with its text and the others
    land."""
    base = 790_000_000 + uuid.uuid4().int % 1_000_000 * 10
    received = dt.datetime(2026, 5, 25, 0, 0, 1, tzinfo=dt.timezone.utc)
    texts = [bsm(base + i, "12.5") for i in range(4)]
    texts[2] = texts[2].replace('"jsonb-edge"', '"RSU\\u0000 2"')
    table = pa.table({"msg_type": ["bsm"] * 4, "received_at": pa.array([received] * 4, pa.timestamp("us", tz="UTC")),
                      "payload": texts})
    assert typed_table("bsm", table) is not None, "Arrow types the batch, NUL and all"
    batch_id = uuid.uuid4()
    db = Database(f"dbname={test_db} user=collector")
    db.open(wait=True)
    try:
        landed = db.land_table(batch_id, table)
    finally:
        db.close()
    assert (landed.received, landed.landed, landed.duplicates, landed.quarantined) == (4, 3, 0, 1)
    with connect() as conn:
        kept = conn.execute("SELECT reason, payload #>> '{}' FROM tsi.quarantine WHERE batch_id = %s", (batch_id,)).fetchall()
        rows = conn.execute("SELECT vehicle_id - %s FROM tsi.bsm_messages WHERE vehicle_id BETWEEN %s AND %s ORDER BY 1",
                            (base, base, base + 9)).fetchall()
    assert kept == [("not_an_object", texts[2])], "the message is kept as received"
    assert rows == [(0,), (1,), (3,)]


def test_a_typed_landing_out_of_order_is_refused_with_a_clear_error(
        test_db: str, connect: Callable[..., psycopg.Connection]) -> None:
    """The typed path's steps in the wrong order, in a fresh session as the collector: each call
    says what must come first (SQLSTATE 55000) and nothing lands."""
    with psycopg.connect(f"dbname={test_db} user=collector") as conn:
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="no typed landing was begun"):
            conn.execute("SELECT tsi.typed_refused()")
        conn.rollback()
        batch_id = uuid.uuid4()
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="not checked in this transaction"):
            conn.execute("CALL tsi.land_typed(%s)", (batch_id,))
    with connect() as conn:
        assert conn.execute("SELECT count(*) FROM tsi.landed_batches WHERE batch_id = %s", (batch_id,)).fetchone() == (0,)
