"""`collector report` (`make report`): what the safety-index engine made of the last days, as a
picture and a short text a person can check (issue 15's evidence), read-only from the database.

- the index per intersection over time: hourly means (`tsi.safety_indices_hourly.avg_si`) and,
  where they still exist (48 h), the 1-minute indices as served (`tsi.minute_indices`' definition:
  Empirical-Bayes combined, raw where EB is missing), over the risk bands;
- the distribution of the 1-minute indices by risk band (`tsi.risk_band` with each row's own
  formula version; the hourly means when no 1-minute rows are left);
- the normalisation constants in force over time (`tsi.normalization_constants`), bootstrap rows
  marked, and which 1-minute rows were scored with bootstrap constants (`constants_id`);
- the share of 1-minute rows whose raw combined index is clipped at 100;
- each intersection's daily peak hour (`tsi.safety_indices_daily.peak_hour`, local);
- whether the index tells the intersections apart: the minutes and local hours in which they fall
  into two or more risk bands.

The last days end at the newest data (not the wall clock), unless `end` is given.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

BANDS = ("low", "medium", "high")
BAND_COLOURS = {"low": "#2e9e4f", "medium": "#e8a317", "high": "#d1342f"}
RUSH_HOURS = ((7, 9), (16, 19))     # local, as the simulator's profile (collector.sim.world)
CONSTANT_KEYS = ("v_max", "i_vru_max", "i_veh_max", "hb_max", "sigma_max", "s_ref")


@dataclass
class Constants:
    id: int
    valid_from: dt.datetime | None      # None: -infinity
    valid_until: dt.datetime | None     # None: still in force
    is_bootstrap: bool
    values: dict[str, float]


@dataclass
class Intersection:
    id: int
    name: str
    time_zone: str
    minutes: list[tuple[dt.datetime, float, float, int | None, str | None]] = field(default_factory=list)
    # (minute, published index, raw combined, constants id, risk band)
    hours: list[tuple[dt.datetime, float, int]] = field(default_factory=list)   # (hour, avg_si, minutes)
    peaks: list[tuple[dt.date, int | None, float | None]] = field(default_factory=list)  # (local day, peak hour, peak_si)


@dataclass
class Report:
    start: dt.datetime
    end: dt.datetime
    intersections: list[Intersection]
    constants: list[Constants]

    def bootstrap_ids(self) -> set[int]:
        return {c.id for c in self.constants if c.is_bootstrap}


def _utc(t: dt.datetime | None) -> dt.datetime | None:
    return t.astimezone(dt.timezone.utc) if t is not None else None   # None: infinite


def load(conn: psycopg.Connection, days: float, end: dt.datetime | None = None,
         intersection_ids: list[int] | None = None) -> Report:
    if end is None:
        newest = conn.execute("""
            SELECT greatest((SELECT max(timestamp) + interval '1 minute' FROM tsi.safety_indices_realtime),
                            (SELECT max(hour_timestamp) + interval '1 hour' FROM tsi.safety_indices_hourly))""").fetchone()[0]
        end = newest or dt.datetime.now(dt.timezone.utc)
    end = end.astimezone(dt.timezone.utc)
    start = end - dt.timedelta(days=days)
    only = "AND intersection_id = ANY (%(ids)s)" if intersection_ids else ""
    args = {"start": start, "end": end, "ids": intersection_ids}
    ixs = {i: Intersection(i, name or f"intersection {i}", tz) for i, name, tz in conn.execute(
        f"SELECT id, name, time_zone FROM tsi.intersections WHERE true {only.replace('intersection_id', 'id')}"
        " ORDER BY id", args)}
    for i, t, published, raw, constants_id, band in conn.execute(f"""
            SELECT r.intersection_id, r.timestamp, coalesce(r.combined_index_eb, r.combined_index), r.combined_index,
                   r.constants_id, tsi.risk_band(coalesce(r.combined_index_eb, r.combined_index), f)
            FROM tsi.safety_indices_realtime AS r
            JOIN tsi.formula_config AS f USING (formula_version)
            WHERE r.timestamp >= %(start)s AND r.timestamp < %(end)s {only.replace('intersection_id', 'r.intersection_id')}
            ORDER BY r.intersection_id, r.timestamp""", args):
        if i in ixs:
            ixs[i].minutes.append((t, published, raw, constants_id, band))
    for i, t, avg, n in conn.execute(f"""
            SELECT intersection_id, hour_timestamp, avg_si, minutes_with_data FROM tsi.safety_indices_hourly
            WHERE hour_timestamp >= %(start)s AND hour_timestamp < %(end)s {only}
            ORDER BY intersection_id, hour_timestamp""", args):
        if i in ixs:
            ixs[i].hours.append((t, avg, n))
    for i, day, hour, peak in conn.execute(f"""
            SELECT d.intersection_id, d.date, d.peak_hour, d.peak_si
            FROM tsi.safety_indices_daily AS d JOIN tsi.intersections AS i ON i.id = d.intersection_id
            WHERE d.date >= (%(start)s AT TIME ZONE i.time_zone)::date AND d.date <= (%(end)s AT TIME ZONE i.time_zone)::date
              {only.replace('intersection_id', 'd.intersection_id')}
            ORDER BY d.intersection_id, d.date""", args):
        if i in ixs:
            ixs[i].peaks.append((day, hour, peak))
    constants = [Constants(cid, _utc(vf), _utc(vu), boot, {k: float(v) for k, v in values.items()
                                                           if isinstance(v, (int, float))})
                 for cid, vf, vu, boot, values in conn.execute("""
            SELECT id, CASE WHEN isfinite(valid_from) THEN valid_from END,
                   CASE WHEN isfinite(valid_until) THEN valid_until END, is_bootstrap, constants
            FROM tsi.normalization_constants
            WHERE (valid_until IS NULL OR valid_until > %(start)s) AND valid_from < %(end)s
            ORDER BY valid_from, id""", args)]
    return Report(start, end, [ix for ix in ixs.values() if ix.minutes or ix.hours or ix.peaks], constants)


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "–"


def _when(t: dt.datetime | None, open_end: str) -> str:
    return t.strftime("%Y-%m-%d %H:%M") if t else open_end


def summary(r: Report) -> list[str]:
    """The text summary: one fact per line, each line starting with a fixed label."""
    boot = r.bootstrap_ids()
    minutes = [m for ix in r.intersections for m in ix.minutes]
    bands = Counter(m[4] for m in minutes)
    lines = [
        f"report: {r.start:%Y-%m-%d %H:%M} to {r.end:%Y-%m-%d %H:%M} UTC ({(r.end - r.start) / dt.timedelta(days=1):g} days)",
        f"intersections: {len(r.intersections)} ({', '.join(str(ix.id) for ix in r.intersections)})",
        f"hourly rows: {sum(len(ix.hours) for ix in r.intersections)}",
        f"minute rows: {len(minutes)}",
        f"minute rows clipped at 100 (raw combined index): {sum(m[2] >= 100 for m in minutes)} "
        f"({_pct(sum(m[2] >= 100 for m in minutes), len(minutes))})",
        f"minute rows scored with bootstrap constants: {sum(m[3] in boot for m in minutes)} "
        f"({_pct(sum(m[3] in boot for m in minutes), len(minutes))})",
        "risk bands of minute rows (published index): " + ", ".join(
            f"{b} {bands[b]} ({_pct(bands[b], len(minutes))})" for b in BANDS),
    ]
    lines.append("per intersection: id, minute rows, mean published index, low/medium/high %, clipped %, "
                 "bootstrap-scored %, mean of hourly means")
    for ix in r.intersections:
        n = len(ix.minutes)
        b = Counter(m[4] for m in ix.minutes)
        mean = sum(m[1] for m in ix.minutes) / n if n else float("nan")
        hourly = sum(h[1] for h in ix.hours) / len(ix.hours) if ix.hours else float("nan")
        lines.append(f"  {ix.id:>6} {n:>6} {mean:6.1f}  {'/'.join(f'{100 * b[x] / n:.0f}' if n else '–' for x in BANDS):>11}"
                     f"  {_pct(sum(m[2] >= 100 for m in ix.minutes), n):>8}  {_pct(sum(m[3] in boot for m in ix.minutes), n):>8}"
                     f"  {hourly:6.1f}")
    lines.append(f"constants in force: {len(r.constants)} rows, {sum(c.is_bootstrap for c in r.constants)} bootstrap")
    for c in r.constants:
        values = " ".join(f"{k} {c.values[k]:.4g}" for k in CONSTANT_KEYS if k in c.values)
        lines.append(f"  #{c.id} {'bootstrap' if c.is_bootstrap else 'computed '} {_when(c.valid_from, '-infinity')} .. "
                     f"{_when(c.valid_until, 'now')}  {values}")
    lines.append(spread(r))
    peaks = [(ix.id, day, hour) for ix in r.intersections for day, hour, _ in ix.peaks]
    in_rush = sum(hour is not None and any(a <= hour < b for a, b in RUSH_HOURS) for _, _, hour in peaks)
    lines.append(f"daily peak hours (local) in a rush hour (7-9, 16-19): {in_rush} of {len(peaks)}")
    for ix in r.intersections:
        if ix.peaks:
            lines.append(f"  {ix.id:>6} " + ", ".join(f"{day:%a %m-%d} {hour if hour is not None else '–'}h"
                                                      for day, hour, _ in ix.peaks))
    return lines


def spread(r: Report) -> str:
    """Whether the index tells the intersections apart: the minutes (with two or more intersections
    scored) whose published indices fall into two or more risk bands, and the local hours in which
    most minutes do, as ranges per day ("Fri 6-19h" = 6:00 to 19:59)."""
    bands: dict[dt.datetime, set[str]] = {}
    for ix in r.intersections:
        for t, _, _, _, band in ix.minutes:
            if band is not None:
                bands.setdefault(t, set()).add(band)
    counts = Counter(t for ix in r.intersections for t, *_ in ix.minutes)
    scored = [t for t in bands if counts[t] >= 2]
    spread_minutes = [t for t in scored if len(bands[t]) >= 2]
    zones = {ix.time_zone for ix in r.intersections}
    tz = ZoneInfo(zones.pop()) if len(zones) == 1 else dt.timezone.utc
    per_hour: dict[dt.datetime, list[bool]] = {}
    for t in scored:
        per_hour.setdefault(t.astimezone(tz).replace(minute=0, second=0, microsecond=0), []).append(len(bands[t]) >= 2)
    ranges: list[str] = []
    for hour in sorted(h for h, got in per_hour.items() if 2 * sum(got) > len(got)):
        label = f"{hour:%a} "
        if ranges and ranges[-1].startswith(label) and int(ranges[-1].split(" ")[1].split("-")[-1].rstrip("h")) == hour.hour - 1:
            ranges[-1] = f"{ranges[-1].split('-')[0].rstrip('h')}-{hour.hour}h"
        else:
            ranges.append(f"{label}{hour.hour}h")
    return (f"minutes whose intersections fall into two or more risk bands: {len(spread_minutes)} of {len(scored)} "
            f"({_pct(len(spread_minutes), len(scored))}); local hours where most minutes do: {', '.join(ranges) or 'none'}")


def plot(r: Report, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    zones = {ix.time_zone for ix in r.intersections}
    tz = ZoneInfo(zones.pop()) if len(zones) == 1 else dt.timezone.utc
    tz_name = getattr(tz, "key", "UTC")
    colours = plt.get_cmap("tab10")
    colour = {ix.id: colours(n % 10) for n, ix in enumerate(r.intersections)}
    boot = r.bootstrap_ids()

    fig = plt.figure(figsize=(16, 11), dpi=100, layout="constrained")
    grid = fig.add_gridspec(3, 3, height_ratios=[2.3, 1.3, 1.5])
    ax = fig.add_subplot(grid[0, :])
    axc = fig.add_subplot(grid[1, :], sharex=ax)
    fig.suptitle(f"Traffic-safety index, {r.start.astimezone(tz):%a %Y-%m-%d %H:%M} to "
                 f"{r.end.astimezone(tz):%a %Y-%m-%d %H:%M} ({tz_name})", fontsize=15, fontweight="bold")

    # 1. the index over time, over the risk bands
    for lo, hi, band in ((0, 60, "low"), (60, 75, "medium"), (75, 100, "high")):
        ax.axhspan(lo, hi, color=BAND_COLOURS[band], alpha=0.08, lw=0)
        ax.text(1.002, (lo + hi) / 2, band, transform=ax.get_yaxis_transform(), va="center", fontsize=9,
                color=BAND_COLOURS[band])
    for c in r.constants:
        if c.is_bootstrap:
            ax.axvspan(max(c.valid_from or r.start, r.start), min(c.valid_until or r.end, r.end), facecolor="none",
                       edgecolor="#999999", hatch="//", lw=0, alpha=0.5,
                       label="bootstrap constants in force" if c is next(x for x in r.constants if x.is_bootstrap) else None)
    for ix in r.intersections:
        if ix.minutes:
            ax.plot([m[0] for m in ix.minutes], [m[1] for m in ix.minutes], lw=0.6, alpha=0.35, color=colour[ix.id])
        if ix.hours:
            ax.plot([h[0] + dt.timedelta(minutes=30) for h in ix.hours], [h[1] for h in ix.hours], lw=2.2,
                    marker="o", ms=3, color=colour[ix.id], label=f"{ix.id} {ix.name}")
        elif ix.minutes:
            ax.plot([], [], lw=2.2, color=colour[ix.id], label=f"{ix.id} {ix.name}")
    ax.set_ylim(0, 102)
    ax.set_xlim(r.start, r.end)
    ax.set_ylabel("safety index (0–100, higher = riskier)")
    ax.set_title("Index per intersection: hourly mean (bold), 1-minute published index where kept (thin)", loc="left")
    ax.legend(loc="upper left", fontsize=9, ncols=min(6, len(r.intersections) + 1), framealpha=0.9)
    ax.grid(alpha=0.3)

    # 2. the normalisation constants in force
    for k, key in enumerate(CONSTANT_KEYS):
        for c in r.constants:
            if key in c.values:
                a, b = max(c.valid_from or r.start, r.start), min(c.valid_until or r.end, r.end)
                latest = [x.values[key] for x in r.constants if key in x.values][-1]
                axc.plot([a, b], [c.values[key]] * 2, color=colours(k), lw=2, ls="--" if c.is_bootstrap else "-",
                         label=f"{key} (last {latest:.3g})" if c is next(x for x in r.constants if key in x.values) else None)
    for c in r.constants:
        if c.valid_from and r.start < c.valid_from < r.end:
            axc.axvline(c.valid_from, color="#555555", lw=0.8, ls=":")
            axc.text(c.valid_from, 1.0, f" #{c.id}{' (bootstrap)' if c.is_bootstrap else ''}",
                     transform=axc.get_xaxis_transform(), fontsize=8, va="top", color="#333333")
    if any(c.values for c in r.constants):
        axc.set_yscale("log")
    axc.set_title("Normalisation constants in force (dashed: bootstrap; dotted line: a new row takes over)", loc="left")
    axc.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=9)
    axc.grid(alpha=0.3, which="both")
    axc.xaxis.set_major_formatter(mdates.DateFormatter("%a %H:%M", tz=tz))
    axc.xaxis.set_major_locator(mdates.AutoDateLocator(tz=tz, maxticks=14))
    plt.setp(ax.get_xticklabels(), visible=False)

    # 3a. risk bands of the 1-minute rows (the hourly means when no minute rows are kept)
    axb = fig.add_subplot(grid[2, 0])
    names = [str(ix.id) for ix in r.intersections] + ["all"]
    use_minutes = any(ix.minutes for ix in r.intersections)
    shares: list[list[float]] = []
    for ix in r.intersections:
        if use_minutes:
            got = Counter(m[4] for m in ix.minutes)
        else:
            got = Counter("low" if h[1] < 60 else "medium" if h[1] <= 75 else "high" for h in ix.hours)
        total = sum(got.values())
        shares.append([100 * got[b] / total if total else 0 for b in BANDS])
    weights = [len(ix.minutes) if use_minutes else len(ix.hours) for ix in r.intersections]
    shares.append([sum(s[k] * w for s, w in zip(shares, weights)) / max(sum(weights), 1) for k in range(3)])
    left = [0.0] * len(names)
    for k, band in enumerate(BANDS):
        widths = [s[k] for s in shares]
        bars = axb.barh(names, widths, left=left, color=BAND_COLOURS[band], label=band)
        axb.bar_label(bars, labels=[f"{w:.0f}" if w >= 8 else "" for w in widths], label_type="center", fontsize=8,
                      color="white")
        left = [a + w for a, w in zip(left, widths)]
    axb.set_xlim(0, 100)
    axb.invert_yaxis()
    axb.set_xlabel("% of " + ("1-minute rows (published index)" if use_minutes else "hours (hourly mean)"))
    axb.set_title("Risk bands: low < 60, medium 60–75, high > 75", loc="left")
    axb.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=8, ncols=3)

    # 3b. clipped at 100, scored with bootstrap constants
    axq = fig.add_subplot(grid[2, 1])
    ys = range(len(r.intersections))
    clipped = [100 * sum(m[2] >= 100 for m in ix.minutes) / len(ix.minutes) if ix.minutes else 0 for ix in r.intersections]
    booted = [100 * sum(m[3] in boot for m in ix.minutes) / len(ix.minutes) if ix.minutes else 0 for ix in r.intersections]
    b1 = axq.barh([y - 0.2 for y in ys], clipped, height=0.4, color="#7b3294", label="raw combined index clipped at 100")
    b2 = axq.barh([y + 0.2 for y in ys], booted, height=0.4, color="#999999", label="scored with bootstrap constants")
    for bars, values in ((b1, clipped), (b2, booted)):
        axq.bar_label(bars, labels=[f"{v:.1f} %" for v in values], fontsize=8, padding=2)
    axq.set_yticks(list(ys), [str(ix.id) for ix in r.intersections])
    axq.set_xlim(0, 115)
    axq.invert_yaxis()
    axq.set_xlabel("% of the intersection's 1-minute rows")
    axq.set_title("1-minute rows clipped at 100 / bootstrap-scored", loc="left")
    axq.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=8, ncols=2)

    # 3c. daily peak hours
    axp = fig.add_subplot(grid[2, 2])
    for a, b in RUSH_HOURS:
        axp.axhspan(a, b, color="#f4c542", alpha=0.25, lw=0)
    days = sorted({day for ix in r.intersections for day, _, _ in ix.peaks})
    for n, ix in enumerate(r.intersections):
        pts = [(days.index(day) + (n - len(r.intersections) / 2) * 0.06, hour) for day, hour, _ in ix.peaks
               if hour is not None]
        axp.scatter([p[0] for p in pts], [p[1] for p in pts], color=colour[ix.id], s=40, label=str(ix.id), zorder=3)
    axp.set_xticks(range(len(days)), [f"{d:%a %m-%d}" for d in days])
    axp.set_xlim(-0.6, max(len(days), 1) - 0.4)
    axp.set_ylim(-0.5, 23.5)
    axp.set_yticks(range(0, 24, 3))
    axp.set_ylabel("local hour")
    axp.set_title("Daily peak hour (shaded: rush hours 7–9, 16–19)", loc="left")
    axp.grid(alpha=0.3)
    if not days:
        axp.text(0.5, 0.5, "no daily rows yet", transform=axp.transAxes, ha="center", va="center", color="#777777")

    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def write(conn: psycopg.Connection, out: Path, days: float, end: dt.datetime | None = None,
          intersection_ids: list[int] | None = None) -> tuple[Path, Path, list[str]]:
    """Writes out/report.png and out/report.txt; returns their paths and the summary lines."""
    r = load(conn, days, end, intersection_ids)
    lines = summary(r)
    out.mkdir(parents=True, exist_ok=True)
    png, txt = out / "report.png", out / "report.txt"
    plot(r, png)
    txt.write_text("\n".join(lines) + "\n")
    return png, txt, lines

