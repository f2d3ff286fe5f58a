"""`collector report` (make report) on the test database with a little data: simulated history of
a fresh intersection over a local midnight (so it has 1-minute rows, hourly rows and a daily
row), backfilled and scored by the engine; the report must write a readable PNG and a summary
with its fixed lines, counting that intersection's rows."""

from __future__ import annotations

import datetime as dt
import re
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

from collector.sim import report
from collector_fixtures import COLLECTOR, ROOT, collector_env, fresh_site

NY = ZoneInfo("America/New_York")


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "a PNG file"
    assert data[-8:-4] == b"IEND", "a complete PNG"
    return struct.unpack(">II", data[16:24])


def test_report_writes_a_png_and_a_summary_of_the_last_days(test_db: str, tmp_path: Path,
                                                           connect: Callable[..., psycopg.Connection]) -> None:
    ix, spec, _ = fresh_site()
    now = dt.datetime.now(NY)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if now - midnight < dt.timedelta(hours=2):   # the day before must be over, and its history not in the future
        midnight -= dt.timedelta(days=1)
    end = midnight + dt.timedelta(hours=1)
    env = collector_env(test_db, None, tmp_path)
    made = subprocess.run([*COLLECTOR, "generate-history", "--days", str(2.5 / 24), "--end", end.isoformat(),
                           "--intersections", spec, "--vehicles", "3", "--profile", "flat", "--seed", str(ix)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr

    out = tmp_path / "report"
    done = subprocess.run([*COLLECTOR, "report", "--days", "1", "--end", end.isoformat(), "--intersections", str(ix),
                           "--out", str(out), "--database-url", f"dbname={test_db} user=analyst"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr

    png, txt = out / "report.png", out / "report.txt"
    width, height = png_size(png)
    assert width >= 1200 and height >= 800, (width, height)
    assert png.stat().st_size > 50_000, "a picture with something drawn on it"
    lines = txt.read_text().splitlines()
    assert done.stdout.startswith(txt.read_text()), "the summary is printed too"
    with connect() as conn:
        # the report's day: [end - 1 day, end)
        minutes, clipped, hours, peaks = conn.execute("""
            SELECT count(*), count(*) FILTER (WHERE combined_index >= 100),
                   (SELECT count(*) FROM tsi.safety_indices_hourly
                    WHERE intersection_id = %(ix)s AND hour_timestamp >= %(end)s - interval '1 day' AND hour_timestamp < %(end)s),
                   (SELECT count(*) FROM tsi.safety_indices_daily WHERE intersection_id = %(ix)s)
            FROM tsi.safety_indices_realtime
            WHERE intersection_id = %(ix)s AND timestamp >= %(end)s - interval '1 day' AND timestamp < %(end)s""",
                                                    {"ix": ix, "end": end}).fetchone()
    assert minutes >= 140 and hours >= 2 and peaks >= 1, (minutes, hours, peaks)

    def line(label: str) -> str:
        found = [x for x in lines if x.startswith(label)]
        assert len(found) == 1, f"one line {label!r} in\n" + "\n".join(lines)
        return found[0]

    assert line("report: ").endswith("UTC (1 days)")
    assert line("intersections: ") == f"intersections: 1 ({ix})"
    assert line("hourly rows: ") == f"hourly rows: {hours}"
    assert line("minute rows: ") == f"minute rows: {minutes}"
    assert line("minute rows clipped at 100 (raw combined index): ").startswith(
        f"minute rows clipped at 100 (raw combined index): {clipped} (")
    assert re.fullmatch(r"minute rows scored with bootstrap constants: \d+ \(\d+\.\d %\)",
                        line("minute rows scored with bootstrap constants: "))
    bands = re.fullmatch(r"risk bands of minute rows \(published index\): low (\d+) \(.*\), medium (\d+) \(.*\), "
                         r"high (\d+) \(.*\)", line("risk bands of minute rows (published index): "))
    assert bands and sum(map(int, bands.groups())) == minutes
    assert re.match(rf"\s+{ix}\s+{minutes}\s", lines[lines.index(line("per intersection: ")) + 1])
    assert re.fullmatch(r"constants in force: [1-9]\d* rows, \d+ bootstrap", line("constants in force: "))
    assert re.fullmatch(rf"daily peak hours \(local\) in a rush hour \(7-9, 16-19\): \d+ of {peaks}",
                        line("daily peak hours (local) in a rush hour"))
    assert line("minutes whose intersections fall into two or more risk bands: ") == \
        "minutes whose intersections fall into two or more risk bands: 0 of 0 (–); local hours where most minutes do: none", \
        "one intersection tells nothing apart"


def test_the_spread_line_names_the_local_hours_with_two_risk_bands() -> None:
    """Two intersections on a Friday in New York: apart (low and medium) from 6:00 to 8:59 but
    for a few minutes, and at 11:00 for 20 of 60 minutes (not most)."""
    start = dt.datetime(2026, 12, 4, 5, tzinfo=NY)
    quiet, busy = report.Intersection(1, "quiet", "America/New_York"), report.Intersection(2, "busy", "America/New_York")
    for n in range(7 * 60):
        t = (start + dt.timedelta(minutes=n)).astimezone(dt.timezone.utc)
        apart = 60 <= n < 240 and n % 30 != 0 or 360 <= n < 380
        quiet.minutes.append((t, 30.0, 30.0, 1, "low"))
        busy.minutes.append((t, 65.0 if apart else 40.0, 65.0, 1, "medium" if apart else "low"))
    r = report.Report(start, start + dt.timedelta(hours=7), [quiet, busy], [])
    assert report.spread(r) == ("minutes whose intersections fall into two or more risk bands: 194 of 420 (46.2 %); "
                                "local hours where most minutes do: Fri 6-8h")
