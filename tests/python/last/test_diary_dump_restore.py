"""A pg_dump / pg_restore round trip of a populated database (the diary's demo data) keeps every
table and every row. The test database is dumped, dropped and restored in place: pg_cron, which
the schema needs, can only be created in a database of that name (or cron.database_name).
It runs last, as its own step of db/scripts/test.sh after the other Python tests (which leave
tests/python/last out, see tests/python/conftest.py): the PostgREST of a session loses its
connections here, and the database is deployed afresh at the end."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[3]
FINGERPRINT = """
SELECT format('SELECT %L, count(*), md5(coalesce(string_agg(t::text, '','' ORDER BY t::text), '''')) FROM %s t',
              c.oid::regclass::text, c.oid::regclass)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('tsi', 'diary', 'auth', 'analytics', 'audit') AND c.relkind = 'r'
ORDER BY 1
"""


def fingerprint(conn: psycopg.Connection) -> dict[str, tuple[int, str]]:
    queries = [q for (q,) in conn.execute(FINGERPRINT).fetchall()]
    return {name: (n, digest) for q in queries for name, n, digest in conn.execute(q).fetchall()}


def test_dump_and_restore_keep_every_row(
    test_db: str, tmp_path: Path, connect: Callable[..., psycopg.Connection]
) -> None:
    subprocess.run(["bash", str(ROOT / "db" / "scripts" / "demo.sh"), test_db], check=True, timeout=300,
                   capture_output=True)
    try:
        with connect() as conn:
            original = fingerprint(conn)
            settings = conn.execute("SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase"
                                    " WHERE d.datname = current_database()").fetchone()
        assert original["diary.ratings"][0] > 5000

        dump = tmp_path / "db.dump"
        # --create: the database's own grants and per-database role settings come along.
        subprocess.run(["pg_dump", "-Fc", "--create", "-d", test_db, "-f", str(dump)], check=True, timeout=300)
        subprocess.run(["dropdb", "--force", test_db], check=True, timeout=60)
        restore = subprocess.run(["pg_restore", "--create", "--exit-on-error", "-d", "postgres", str(dump)],
                                 capture_output=True, text=True, timeout=600)
        assert restore.returncode == 0, restore.stderr[-2000:]

        with connect() as conn:
            assert fingerprint(conn) == original
            assert conn.execute("SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase"
                                " WHERE d.datname = current_database()").fetchone() == settings
            # The restored copy works: scores come from the restored running sums.
            assert conn.execute("SELECT count(*) FROM analytics.segment_aggregates WHERE n_samples > 0").fetchone()[0] > 500
    finally:
        # A restored database deparses some CHECK constraints differently from a deployed one
        # (same meaning), which the Sqitch round trip after pytest would report: deploy afresh.
        subprocess.run(["dropdb", "--if-exists", "--force", test_db], check=True, timeout=60)
        subprocess.run(["bash", str(ROOT / "db" / "scripts" / "deploy.sh"), test_db], check=True, timeout=600,
                       capture_output=True)
