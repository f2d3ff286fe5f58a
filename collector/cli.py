"""Command-line entry point: `collector run | simulate | backfill | generate-history | report |
check-consistency | archive-lifecycle | export` (--help on each).

Exit codes: 0 done (or stopped cleanly), 1 unexpected error, 2 bad usage or configuration,
3 VCC refused the credentials (at once, or for longer than VCC_AUTH_RETRY_S after having accepted them),
4 stopped with batches still in the spool (they go first next time), 5 received messages were lost
(dropped while the spool could not be written: the log says how many), 6 the archive and the
database differ (check-consistency).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import logging
import os
import signal
import sys
import threading

from collector import __version__, logs
from collector.config import ConfigError, Settings
from collector.logs import fields
from collector.pipeline import EXIT_CONFIG, EXIT_ERROR, EXIT_OK

# the simulator's (collector.sim.world), which the production path does not import
PROFILES, STEP_MS = ("daily", "flat"), 500

log = logging.getLogger("collector")


def timestamp(value: str) -> dt.datetime:
    """ISO 8601 (UTC if no offset is given), or `now`, or `now-2d` / `now-6h`."""
    now = dt.datetime.now(dt.timezone.utc)
    if value.startswith("now"):
        rest = value[3:]
        if not rest:
            return now
        unit = {"d": "days", "h": "hours", "m": "minutes"}.get(rest[-1])
        if rest[0] != "-" or unit is None:
            raise argparse.ArgumentTypeError(f"expected now, now-Nd, now-Nh or now-Nm, got {value!r}")
        return now - dt.timedelta(**{unit: float(rest[1:-1])})
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {value!r}") from None
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="collector",
        description="Collector of the traffic-safety database (VCC -> Parquet archive -> PostgreSQL). "
                    "Settings come from environment variables (see the README).",
        epilog="exit codes: 0 ok, 1 unexpected error, 2 usage or configuration, 3 credentials refused, "
               "4 stopped with batches left in the spool, 5 received messages lost (spool unwritable)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="collect from VCC (or the simulator) into the archive and the database",
                         description="Streams BSM/PSM over WebSocket (or polls with --poll), polls MapData and SPaT, "
                                     "archives every batch as Parquet and lands it in the database. SIGTERM drains.")
    run.add_argument("--poll", action="store_true", help="poll the current endpoints instead of streaming (VCC_MODE=poll)")

    sim = sub.add_parser("simulate", help="serve a local VCC API with simulated traffic",
                         description="A local VCC Public API (auth, bsm/psm current, keys and WebSocket streams, "
                                     "decoded MapData, SPaT) over simulated intersections; deterministic per seed.")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8088)
    sim.add_argument("--seed", type=int, default=1)
    sim.add_argument("--start", type=timestamp, help="simulated time at start (default now)")
    sim.add_argument("--accel", type=float, default=1.0, help="simulated seconds per wall-clock second")
    sim.add_argument("--intersections", help="id:lat:lon,… (default: the real MapData intersections of the reference)")
    sim.add_argument("--vehicles", type=int, default=4,
                     help="vehicles per intersection: at the weekday rush-hour peak of an average intersection "
                          "(profile daily), or always (profile flat)")
    sim.add_argument("--profile", choices=PROFILES, default="daily",
                     help="daily: rush hours, quiet nights, lighter weekends in local time, intersections of "
                          "different character; flat: every intersection alike, the same traffic at every hour")
    sim.add_argument("--client-id", default="simulator")
    sim.add_argument("--client-secret", default="simulator-secret")
    sim.add_argument("--token-lifetime", type=float, default=3600.0, help="seconds an access token lives")
    sim.add_argument("--malformed-rate", type=float, default=0.0,
                     help="share of 0.5 s steps per intersection that add a malformed message")
    sim.add_argument("--sent-log", help="append every stream frame sent to this file, as JSON lines (ground truth)")

    bf = sub.add_parser("backfill", help="reload a time range from the archive and reprocess it",
                        description="Lands every archived message received in [--from, --to) and reprocesses indices "
                                    "and rollups of the range. Idempotent.")
    bf.add_argument("--from", dest="start", type=timestamp, required=True, help="ISO time or now-Nd")
    bf.add_argument("--to", dest="end", type=timestamp, default=timestamp("now"), help="ISO time or now (default)")
    bf.add_argument("--no-process", action="store_true", help="land only; leave processing to pg_cron")

    gh = sub.add_parser("generate-history", help="write days of simulated history to the archive and backfill it",
                        description="Simulated traffic of the last --days days, the simulator's world at its stream "
                                    "rate (2 messages a second per vehicle and pedestrian; the same seed gives the "
                                    "same intersection characters), written to the archive and then backfilled.")
    gh.add_argument("--days", type=float, default=2.0)
    gh.add_argument("--end", type=timestamp, help="end of the history (default now)")
    gh.add_argument("--seed", type=int, default=1, help="as the simulator's (the same characters)")
    gh.add_argument("--vehicles", type=int, default=4, help="as the simulator's --vehicles")
    gh.add_argument("--profile", choices=PROFILES, default="daily", help="as the simulator's --profile")
    gh.add_argument("--every-ms", type=int, default=STEP_MS,
                    help="one message per vehicle this often (default 500: the live streams' 2 Hz; more thins the "
                         "history, which then has fewer conflicts per minute than the live stream)")
    gh.add_argument("--intersections", help="id:lat:lon,… (default: the real MapData intersections)")
    gh.add_argument("--archive-only", action="store_true", help="write the archive, do not backfill")

    rp = sub.add_parser("report", help="a PNG and a text summary of the last days' indices",
                        description="Reads the database (read-only) and writes OUT/report.png and OUT/report.txt: the "
                                    "index per intersection over time, the risk bands, the normalisation constants "
                                    "in force and the rows scored with bootstrap constants, the share of 1-minute "
                                    "rows clipped at 100, each intersection's daily peak hour.")
    rp.add_argument("--days", type=float, default=2.0, help="how many days, ending at the newest data (or --end)")
    rp.add_argument("--end", type=timestamp, help="end of the period (default: the newest data)")
    rp.add_argument("--out", default="report", help="directory of report.png and report.txt")
    rp.add_argument("--intersections", help="only these intersection ids, comma-separated (default all)")
    rp.add_argument("--database-url", help="default TSDB_REPORT_DATABASE_URL, else dbname=$TSDB_DB user=analyst")
    add_archive_ops(sub)
    return parser


def lean_memory(argv: list[str]) -> None:
    """Starts `collector run` again (same pid) with freed memory going back to the system:
    Arrow's default allocator (mimalloc) and glibc's arena per thread each keep what a batch
    used, and both read their setting only at start. Measured streaming 1 950 msg/s: 201 MB
    resident before, 127 MB (peak 141) with the system allocator and two arenas."""
    if os.environ.get("MALLOC_ARENA_MAX") is None or os.environ.get("ARROW_DEFAULT_MEMORY_POOL") is None:
        os.environ.setdefault("MALLOC_ARENA_MAX", "2")
        os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
        os.execv(sys.executable, [sys.executable, "-m", "collector.cli", *argv])


EXIT_DIFFERENCES = 6


def duration(value: str) -> dt.timedelta:
    """2h, 30m, 1d, 90s."""
    unit = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}.get(value[-1:])
    try:
        if unit is None:
            raise ValueError
        return dt.timedelta(**{unit: float(value[:-1])})
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a duration such as 2h, 30m, 1d, got {value!r}") from None


def local_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {value!r}") from None


def add_archive_ops(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cc = sub.add_parser("check-consistency", help="compare the archive with the database, per hour and message type",
                        description="Compares the archived messages of each whole hour in [--from, --to) (by message "
                                    "time) with those the database holds, by the database's de-duplication rules; "
                                    "prints a table, records each hour in tsi.archive_consistency and each difference "
                                    "in tsi.data_quality_log; exit 6 when they differ. With --every it runs until "
                                    "stopped, checking the hours finished --lag ago.")
    cc.add_argument("--from", dest="start", type=timestamp, help="ISO time or now-Nh (one run)")
    cc.add_argument("--to", dest="end", type=timestamp, help="ISO time or now (default now)")
    cc.add_argument("--every", type=float, help="seconds between checks: run until SIGTERM")
    cc.add_argument("--lag", type=duration, default=duration("2h"),
                    help="with --every: an hour is checked this long after it ended (default 2h)")
    cc.add_argument("--hours", type=int, default=3, help="with --every: finished hours each round checks (default 3)")
    cc.add_argument("--late", type=duration, default=duration("1h"),
                    help="messages received up to this long after their hour are looked for (default 1h)")

    sub.add_parser("archive-lifecycle", help="apply the design's lifecycle rules to the bucket (or local archive)",
                   description="GCS_BUCKET: sets the lifecycle rules (raw/ Nearline after 30 days, Coldline after "
                               "365; processed/ deleted after 730) unless the bucket has them already. Local archive: "
                               "deletes processed/ files older than 730 days, reports raw/ files past 30 and 365.")

    ex = sub.add_parser("export", help="daily Parquet exports of features and indices into processed/",
                        description="Writes processed/features/YYYY/MM/DD/features_YYYY-MM-DD.parquet and "
                                    "processed/indices/YYYY/MM/DD/indices_YYYY-MM-DD.parquet for each finished local "
                                    "day of [--from, --to], never replacing an existing file. With --every it runs "
                                    "until stopped, exporting the last --days finished days.")
    ex.add_argument("--from", dest="start", type=local_date, help="first local day YYYY-MM-DD")
    ex.add_argument("--to", dest="end", type=local_date, help="last local day (default: --from)")
    ex.add_argument("--every", type=float, help="seconds between exports: run until SIGTERM")
    ex.add_argument("--days", type=int, default=3, help="with --every: finished days looked at each round (default 3)")
    ex.add_argument("--database-url", help="default TSDB_EXPORT_DATABASE_URL, else dbname=$TSDB_DB user=analyst")


def until_signalled() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def cmd_check_consistency(args: argparse.Namespace, s: Settings) -> int:
    from collector import consistency
    from collector.archive import open_archive

    archive = open_archive(s.archive_dir, s.gcs_bucket)
    if args.every is not None:
        if args.start or args.end:
            raise ConfigError("--every checks the latest finished hours: give it no --from/--to")
        if args.hours < 1:
            raise ConfigError("--hours must be at least 1")
        consistency.run_every(s.database_url, archive, args.every, args.lag, args.hours, args.late, until_signalled())
        return EXIT_OK
    if args.start is None:
        raise ConfigError("--from (or --every) is required")
    end = args.end or dt.datetime.now(dt.timezone.utc)
    if end <= args.start:
        raise ConfigError(f"--from must be before --to ({args.start.isoformat()} .. {end.isoformat()})")
    results = consistency.check(s.database_url, archive, args.start, end, args.late)
    print(consistency.table(results))
    return EXIT_DIFFERENCES if any(r.differences for r in results) else EXIT_OK


def cmd_archive_lifecycle(s: Settings) -> int:
    from collector.archive import open_archive
    from collector.lifecycle import apply

    r = apply(open_archive(s.archive_dir, s.gcs_bucket))
    if r.rules:
        print(f"{r.target}: lifecycle rules {'set' if r.changed else 'already in place'}")
        for rule in r.rules:
            print(f"  {rule['action']} if {rule['condition']}")
    else:
        print(f"{r.target}: {len(r.deleted)} processed/ file(s) older than 730 days deleted; raw/ files past 30 "
              f"days: {r.raw_past_nearline}, past 365 days: {r.raw_past_coldline} (no storage classes locally)")
        for name in r.deleted:
            print(f"  deleted {name}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, s: Settings) -> int:
    import os

    from collector import export
    from collector.archive import open_archive

    url = args.database_url or os.environ.get("TSDB_EXPORT_DATABASE_URL") \
        or f"dbname={os.environ.get('TSDB_DB', 'trafficsafety')} user=analyst"
    archive = open_archive(s.archive_dir, s.gcs_bucket)
    if args.every is not None:
        if args.start or args.end:
            raise ConfigError("--every exports the latest finished days: give it no --from/--to")
        if args.days < 1:
            raise ConfigError("--days must be at least 1")
        export.run_every(url, archive, args.every, args.days, until_signalled())
        return EXIT_OK
    if args.start is None:
        raise ConfigError("--from (or --every) is required")
    end = args.end or args.start
    if end < args.start:
        raise ConfigError(f"--to must not be before --from ({args.start} .. {end})")
    r = export.export(url, archive, args.start, end)
    for name in r.written:
        print(f"written  {name}")
    for name in r.existing:
        print(f"exists   {name} (kept)")
    for name in r.empty:
        print(f"no rows  {name} (not in the database: features are kept 31 days, 1-minute indices 48 hours)")
    return EXIT_OK


def cmd_run(args: argparse.Namespace, s: Settings) -> int:
    from collector import metrics
    from collector.archive import open_archive
    from collector.db import Database
    from collector.pipeline import Collector
    from collector.spool import Spool
    from collector.vcc import VccClient

    if args.poll:
        s = dataclasses.replace(s, mode="poll")
    s.require_credentials()

    try:
        metrics.serve(s.metrics_host, s.metrics_port)
    except OSError as exc:  # collecting matters more than its metrics; Prometheus sees the target down
        log.error("cannot serve /metrics; collecting without them",
                  extra=fields(host=s.metrics_host, port=s.metrics_port, error=str(exc)))

    async def main() -> int:
        client = VccClient(s.vcc_base_url, s.vcc_client_id, s.vcc_client_secret, ws_url=s.vcc_ws_url,
                           rsu=s.vcc_rsu_filter, auth_retry_s=s.auth_retry_s,
                           max_message_chars=s.max_message_chars)
        db = Database(s.database_url, sessions=s.db_sessions)
        try:
            return await Collector(s, client, open_archive(s.archive_dir, s.gcs_bucket), db, Spool(s.spool_dir)).run()
        finally:
            db.close()

    return asyncio.run(main())


def cmd_simulate(args: argparse.Namespace) -> int:
    from collector.sim.server import SimConfig, Simulator
    from collector.sim.world import default_intersections, parse_intersections

    cfg = SimConfig(host=args.host, port=args.port, seed=args.seed,
                    start_ms=int(args.start.timestamp() * 1000) if args.start else None, accel=args.accel,
                    intersections=parse_intersections(args.intersections) if args.intersections else default_intersections(),
                    vehicles_per_intersection=args.vehicles, profile=args.profile, client_id=args.client_id,
                    client_secret=args.client_secret, token_lifetime_s=args.token_lifetime,
                    malformed_rate=args.malformed_rate, sent_log=args.sent_log)

    async def main() -> None:
        task = asyncio.create_task(Simulator(cfg).serve())
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, task.cancel)
        try:
            await task
        except asyncio.CancelledError:
            log.info("simulator stopped")

    asyncio.run(main())
    return EXIT_OK


def cmd_backfill(start: dt.datetime, end: dt.datetime, process: bool, s: Settings) -> int:
    from collector.archive import open_archive
    from collector.backfill import LANDING_SESSIONS, backfill
    from collector.db import Database

    if end <= start:
        raise ConfigError(f"--from must be before --to ({start.isoformat()} .. {end.isoformat()})")
    db = Database(s.database_url, sessions=LANDING_SESSIONS)
    db.open(wait=True)
    try:
        r = backfill(open_archive(s.archive_dir, s.gcs_bucket), db, s.process_database_url if process else None, start, end)
    finally:
        db.close()
    log.info("backfill done", extra=fields(**r.__dict__))
    return EXIT_OK


def cmd_generate_history(args: argparse.Namespace, s: Settings) -> int:
    from collector.archive import open_archive
    from collector.sim.history import generate_history
    from collector.sim.world import default_intersections, parse_intersections

    end = args.end or dt.datetime.now(dt.timezone.utc)
    start = end - dt.timedelta(days=args.days)
    ixs = parse_intersections(args.intersections) if args.intersections else default_intersections()
    n = generate_history(open_archive(s.archive_dir, s.gcs_bucket), ixs, args.seed, start, end,
                         vehicles=args.vehicles, every_ms=args.every_ms, profile=args.profile)
    log.info("history written to the archive", extra=fields(messages=n, start=start, end=end))
    if args.archive_only:
        return EXIT_OK
    # the world starts on a whole step, up to a second before `start`
    done = cmd_backfill(start - dt.timedelta(seconds=1), end + dt.timedelta(seconds=1), True, s)
    # History that lands after live minutes (make up): the live day's bootstrap constants and
    # what they scored follow it now, not at the job's next run (a backfill leaves that to the
    # job, so that running it twice gives the same database).
    from collector.db import refresh_constants
    refresh_constants(s.process_database_url)
    return done


def cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    import psycopg

    from collector.sim.report import write

    url = args.database_url or os.environ.get("TSDB_REPORT_DATABASE_URL") \
        or f"dbname={os.environ.get('TSDB_DB', 'trafficsafety')} user=analyst"
    try:
        ids = [int(i) for i in args.intersections.split(",")] if args.intersections else None
    except ValueError:
        raise ConfigError(f"--intersections: comma-separated ids expected, got {args.intersections!r}") from None
    with psycopg.connect(url) as conn:
        png, txt, lines = write(conn, Path(args.out), args.days, args.end, ids)
    print("\n".join(lines))
    print(f"\nwritten: {png} and {txt}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    if args.command == "run":
        lean_memory(argv)
    logs.setup()
    try:
        if args.command == "simulate":
            return cmd_simulate(args)
        if args.command == "report":
            return cmd_report(args)
        settings = Settings.from_env()
        if args.command == "run":
            return cmd_run(args, settings)
        if args.command == "backfill":
            return cmd_backfill(args.start, args.end, not args.no_process, settings)
        if args.command == "check-consistency":
            return cmd_check_consistency(args, settings)
        if args.command == "archive-lifecycle":
            return cmd_archive_lifecycle(settings)
        if args.command == "export":
            return cmd_export(args, settings)
        return cmd_generate_history(args, settings)
    except ConfigError as exc:
        log.error("configuration error", extra=fields(error=str(exc)))
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return EXIT_ERROR
    except Exception:
        log.exception("collector failed")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
