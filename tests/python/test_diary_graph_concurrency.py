"""Two writers of diary.segments at once, through real PostgreSQL sessions: an importer and a
deleter. Release 1.0 rebuilt the routing graph after every statement under an EXCLUSIVE lock taken
while the statement already held row locks, and the two deadlocked (issue 17, finding 6)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable

import psycopg

ROUNDS = 12


def collection(prefix: str, ids: range, street: str) -> str:
    """Segments prefix0, prefix1, … end to end along one street (a chain of 85 m pieces)."""
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"segment_id": f"{prefix}{i}", "street": street},
         "geometry": {"type": "LineString", "coordinates": [[-75.7 + i * 0.001, 39.7], [-75.7 + (i + 1) * 0.001, 39.7]]}}
        for i in ids]})


def test_concurrent_imports_and_deletes_do_not_deadlock(connect: Callable[..., psycopg.Connection]) -> None:
    p = "conc-" + uuid.uuid4().hex[:6] + "-"
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def importer() -> None:
        # two files in one transaction, as a script loading a district file by file would
        try:
            with connect() as conn:
                start.wait()
                for r in range(ROUNDS):
                    with conn.transaction():
                        conn.execute("SELECT count(*) FROM diary.import_segments(%s::jsonb)", (collection(p, range(0, 40), f"A {r}"),))
                        time.sleep(0.02)
                        conn.execute("SELECT count(*) FROM diary.import_segments(%s::jsonb)", (collection(p, range(20, 60), f"B {r}"),))
        except BaseException as e:  # noqa: BLE001 - reported by the test below
            errors.append(e)

    def deleter() -> None:
        # deletes one by one in a transaction, as someone cleaning up by hand
        try:
            with connect() as conn:
                start.wait()
                for _ in range(ROUNDS):
                    with conn.transaction():
                        for i in (25, 30, 35, 45):
                            conn.execute("DELETE FROM diary.segments WHERE segment_id = %s", (f"{p}{i}",))
                            time.sleep(0.005)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=importer), threading.Thread(target=deleter)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert not any(t.is_alive() for t in threads), "a writer is still waiting after 300 s"
        assert errors == [], f"a writer failed: {errors!r}"
        with connect() as conn:
            segments = conn.execute("SELECT count(*) FROM diary.segments WHERE segment_id LIKE %s", (p + "%",)).fetchone()
            edges = conn.execute("SELECT count(*) FROM diary.graph_edges WHERE segment_id LIKE %s", (p + "%",)).fetchone()
            assert segments == edges, "every segment left is one edge of the graph"
            assert conn.execute("""SELECT count(*) FROM diary.graph_nodes n WHERE NOT EXISTS
                                   (SELECT FROM diary.graph_edges e WHERE n.node_id IN (e.source, e.target))""").fetchone() == (0,)
            # the graph kept per segment through it all is the one a full rebuild makes
            shared = """SELECT array_agg(x ORDER BY x) FROM (
                            SELECT source AS node, segment_id || ':0' AS x FROM diary.graph_edges WHERE segment_id LIKE %(p)s
                            UNION ALL SELECT target, segment_id || ':1' FROM diary.graph_edges WHERE segment_id LIKE %(p)s) e
                        GROUP BY node ORDER BY 1"""
            with conn.transaction(force_rollback=True):
                kept = conn.execute(shared, {"p": p + "%"}).fetchall()
                conn.execute("SELECT diary.rebuild_graph()")
                assert conn.execute(shared, {"p": p + "%"}).fetchall() == kept
    finally:
        with connect() as conn:
            conn.execute("DELETE FROM diary.segments WHERE segment_id LIKE %s", (p + "%",))


def test_import_while_a_deleting_transaction_is_open(connect: Callable[..., psycopg.Connection]) -> None:
    """The interleaving that deadlocked in release 1.0, made to happen: a transaction has deleted a
    segment (and held the graph); an import updates segments, among them the next one that
    transaction deletes. Now the import waits before touching a row, and both finish."""
    p = "cone-" + uuid.uuid4().hex[:6] + "-"
    with connect(autocommit=True) as setup:
        setup.execute("SELECT count(*) FROM diary.import_segments(%s::jsonb)", (collection(p, range(0, 20), "Old St"),))
    importing = threading.Event()
    errors: list[BaseException] = []

    def importer() -> None:
        try:
            with connect() as conn, conn.transaction():
                importing.set()
                conn.execute("SELECT count(*) FROM diary.import_segments(%s::jsonb)", (collection(p, range(6, 10), "Renamed St"),))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    t = threading.Thread(target=importer)
    try:
        with connect() as conn:
            with conn.transaction():
                conn.execute("DELETE FROM diary.segments WHERE segment_id = %s", (f"{p}5",))
                t.start()
                importing.wait(10)
                time.sleep(0.5)  # the import is under way (and waits)
                try:
                    conn.execute("DELETE FROM diary.segments WHERE segment_id = %s", (f"{p}6",))
                except psycopg.errors.DeadlockDetected as e:
                    errors.append(e)
        t.join(timeout=60)
        assert not t.is_alive(), "the import is still waiting"
        assert errors == [], f"a writer failed: {errors!r}"
        with connect() as conn:
            # the import ran after the deleting transaction: 5 is gone, 6 is back from the file
            rows = conn.execute("SELECT s.segment_id, s.street, e.edge_id IS NOT NULL FROM diary.segments s "
                                "LEFT JOIN diary.graph_edges e USING (segment_id) WHERE s.segment_id LIKE %s", (p + "%",)).fetchall()
            assert len(rows) == 19 and all(has_edge for _, _, has_edge in rows)
            assert (f"{p}6", "Renamed St", True) in rows and not any(sid == f"{p}5" for sid, _, _ in rows)
    finally:
        with connect() as conn:
            conn.execute("DELETE FROM diary.segments WHERE segment_id LIKE %s", (p + "%",))
