"""Import street segments from a GeoJSON FeatureCollection into diary.segments.

Usage: load_segments.py FILE   (database from TSDB_DB / PGHOST / PGPORT / PGUSER, as db/scripts set them)
Prints one line per rejected feature with its reason, a summary, and how many pieces of the file
the routing graph leaves apart from its largest component; the import is idempotent.
Exit status: 0 when the file was processed (even with rejected features), 1 when it was refused.
"""

from __future__ import annotations

import collections
import os
import sys

import psycopg


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) == 2 else 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        print(f"load-segments: cannot read {argv[1]}: {e}", file=sys.stderr)
        return 1
    notices: list[str] = []
    try:
        with psycopg.connect(dbname=os.environ.get("TSDB_DB", "trafficsafety")) as conn:
            conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
            rows = conn.execute("SELECT segment_id, outcome, reason FROM diary.import_segments(%s::jsonb)", (text,)).fetchall()
    except psycopg.Error as e:
        print(f"load-segments: {argv[1]} refused: {e.diag.message_primary or e}", file=sys.stderr)
        return 1
    counts = collections.Counter(outcome for _, outcome, _ in rows)
    for segment_id, outcome, reason in rows:
        if outcome == "rejected":
            print(f"rejected {segment_id}: {reason}")
    print(", ".join(f"{k} {counts[k]}" for k in ("inserted", "updated", "unchanged", "rejected")))
    for message in notices:  # diary.import_segments: the graph's components after the import
        print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
