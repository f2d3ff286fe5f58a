"""The simulated world has character (issue 15): a daily and weekly profile in local time,
intersections that differ, all deterministic for a seed; and the history `generate-history`
writes is the live stream's world at the live stream's rate — the same messages, 2 per second
per vehicle — so history and live minutes are scored alike."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from collector.archive import LocalArchive, days, from_parquet
from collector.sim.history import generate_history
from collector.sim.synthetic import Intersection, grid_intersections
from collector.sim.world import ARCHETYPES, STEP_MS, World, character, default_intersections, demand, site_demand
from collector.vcc import VccClient
from collector_fixtures import SIM_ID, SIM_SECRET, Sim, start_sim  # noqa: F401  (fixture)

NY = ZoneInfo("America/New_York")
WEDNESDAY, SATURDAY = (2026, 12, 2), (2026, 12, 5)


def local_ms(day: tuple[int, int, int], hour: int, minute: int = 0) -> int:
    return int(dt.datetime(*day, hour, minute, tzinfo=NY).timestamp() * 1000)


def observe(start_ms: int, minutes: int, seed: int = 1,
            intersections: list[Intersection] | None = None) -> dict[int, dict[str, float]]:
    """Per intersection over `minutes` of the daily world from `start_ms`: distinct vehicles,
    pedestrians and cyclists, the share of vehicles that braked at or below −3.4 m/s², messages."""
    w = World(intersections or default_intersections(), seed, start_ms)
    vehicles: dict[int, set[int]] = defaultdict(set)
    braking: dict[int, set[int]] = defaultdict(set)
    walkers: dict[int, set[int]] = defaultdict(set)
    messages: Counter[int] = Counter()
    for _ in range(minutes * 60_000 // STEP_MS):
        for kind, m in w.step():
            ix = int(str(m["rsuName"]).removeprefix("Sim_"))
            messages[ix] += 1
            if kind == "bsm":
                core = m["bsmJson"]["coreData"]  # type: ignore[index]
                vehicles[ix].add(core["id"])
                if core["accelSet"]["lon"] <= -3.4:
                    braking[ix].add(core["id"])
            else:
                walkers[ix].add(m["psmJson"]["id"])  # type: ignore[index]
    return {site.ix.id: {"vehicles": len(vehicles[site.ix.id]), "walkers": len(walkers[site.ix.id]),
                         "hard_braking": len(braking[site.ix.id]) / max(1, len(vehicles[site.ix.id])),
                         "messages": messages[site.ix.id]} for site in w.sites}


def total(obs: dict[int, dict[str, float]], key: str) -> float:
    return sum(o[key] for o in obs.values())


def test_the_daily_world_and_the_characters_are_deterministic_for_a_seed() -> None:
    ixs = default_intersections()

    def run(seed: int) -> list[str]:
        w = World(ixs, seed, local_ms(WEDNESDAY, 8))
        return [json.dumps(m) for _ in range(240) for _, m in w.step()]

    assert run(3) == run(3) and run(3) != run(4)
    # An intersection's character comes from the seed and its id alone: not from the start, nor
    # from which other intersections the world has (the simulator and generate-history agree).
    alone = World(ixs[2:3], 3, local_ms(SATURDAY, 1)).sites[0].character
    assert alone == World(ixs, 3, local_ms(WEDNESDAY, 8)).sites[2].character == character(3, ixs[2].id)
    assert character(3, 158) != character(4, 158), "another seed varies the figures"
    kinds = Counter(character(1, ix.id).kind for ix in grid_intersections(60))
    assert set(kinds) == set(ARCHETYPES) and min(kinds.values()) >= 5, kinds
    assert {character(s, ix.id).kind for s in (1, 2, 3) for ix in ixs} == set(ARCHETYPES), \
        "the real intersections: an arterial, a suburban, a downtown and quiet crossings"


def test_rush_hours_are_busier_than_nights_and_weekends_differ_from_weekdays() -> None:
    # the profile itself, local time
    assert demand(local_ms(WEDNESDAY, 8)) == 1.0 and demand(local_ms(WEDNESDAY, 17)) == 1.0
    assert demand(local_ms(WEDNESDAY, 3)) < 0.05
    assert max(demand(local_ms(SATURDAY, h)) for h in range(24)) < 0.7
    assert max(range(24), key=lambda h: demand(local_ms(SATURDAY, h))) in (12, 13), "a midday bump"
    # a zone's own local time: 8:00 in New York is 5:00 in Los Angeles
    assert demand(local_ms(WEDNESDAY, 8), "America/Los_Angeles") == demand(local_ms(WEDNESDAY, 5))

    rush = observe(local_ms(WEDNESDAY, 7, 30), 20)
    night = observe(local_ms(WEDNESDAY, 3), 20)
    saturday_morning = observe(local_ms(SATURDAY, 7, 30), 20)
    saturday_noon = observe(local_ms(SATURDAY, 12, 30), 20)
    assert total(rush, "vehicles") > 10 * total(night, "vehicles"), (rush, night)
    assert total(rush, "messages") > 10 * total(night, "messages")
    assert total(rush, "walkers") > 3 * total(night, "walkers")
    assert total(rush, "vehicles") > 2.5 * total(saturday_morning, "vehicles"), "weekend mornings have no rush"
    assert total(saturday_noon, "vehicles") > 1.5 * total(saturday_morning, "vehicles"), "weekends: busiest at midday"
    assert total(saturday_noon, "vehicles") < 0.9 * total(rush, "vehicles"), "and lighter than a weekday rush"


def test_intersections_differ_in_volume_pedestrians_and_hard_braking() -> None:
    obs = observe(local_ms(WEDNESDAY, 7), 60)   # the morning rush hour, the five real intersections
    kinds = {i: character(1, i).kind for i in obs}
    assert kinds == {152: "suburban", 156: "arterial", 158: "quiet", 159: "downtown", 3837: "quiet"}
    vehicles = {i: o["vehicles"] for i, o in obs.items()}
    assert vehicles[156] > 4 * max(vehicles[158], vehicles[3837]), f"busy arterial vs quiet crossings: {vehicles}"
    walkers = {i: o["walkers"] for i, o in obs.items()}
    assert walkers[159] > 2 * walkers[156] and walkers[159] > 3 * max(w for i, w in walkers.items() if i not in (156, 159)), \
        f"downtown pedestrians, then the arterial's: {walkers}"
    braking = {i: o["hard_braking"] for i, o in obs.items()}
    assert braking[152] > 2 * max(braking[i] for i in (156, 158, 159, 3837)), f"the suburban one brakes hard: {braking}"


def test_the_arterials_daytime_stays_busy_between_the_rush_hours() -> None:
    # the shoulder: the arterial's midday is most of its rush hour, the suburban commuter road's
    # is not; the peak and the nights are the same for both
    assert site_demand(local_ms(WEDNESDAY, 8), shoulder=1.0) == demand(local_ms(WEDNESDAY, 8)) == 1.0
    assert site_demand(local_ms(WEDNESDAY, 3), shoulder=1.0) < 0.1
    rush, midday = observe(local_ms(WEDNESDAY, 16, 45), 60), observe(local_ms(WEDNESDAY, 10, 30), 60)
    share = {i: midday[i]["vehicles"] / rush[i]["vehicles"] for i in (152, 156)}
    assert share[156] > 0.7 and share[152] < 0.7 and share[156] > share[152] + 0.15, share


def test_the_simulator_serves_the_profile_over_http(start_sim: Callable[..., Sim]) -> None:
    # the same world at 8:00 and at 3:00 local time, ten simulated seconds per second
    rush = start_sim("--profile", "daily", "--start", dt.datetime(*WEDNESDAY, 8, tzinfo=NY).isoformat(), "--accel", "10")
    night = start_sim("--profile", "daily", "--start", dt.datetime(*WEDNESDAY, 3, tzinfo=NY).isoformat(), "--accel", "10")
    time.sleep(4)
    busy, quiet = rush.stats(), night.stats()
    assert busy["sim_ms"] > local_ms(WEDNESDAY, 8) + 20_000 and quiet["sim_ms"] > local_ms(WEDNESDAY, 3) + 20_000
    per_sim_s = busy["bsm"] / (busy["sim_ms"] - local_ms(WEDNESDAY, 8)), quiet["bsm"] / (quiet["sim_ms"] - local_ms(WEDNESDAY, 3))
    assert per_sim_s[0] > 10 * per_sim_s[1], per_sim_s


def per_vehicle_gaps(messages: list[dict[str, object]]) -> Counter[int]:
    """Milliseconds between consecutive messages of the same vehicle (temporary id)."""
    times: dict[int, list[int]] = defaultdict(list)
    for m in messages:
        times[m["bsmJson"]["coreData"]["id"]].append(int(m["timestamp"]))  # type: ignore[index]
    return Counter(b - a for ts in times.values() for a, b in zip(sorted(ts), sorted(ts)[1:]))


def test_history_holds_what_the_live_stream_delivers_at_its_rate(start_sim: Callable[..., Sim], tmp_path: Path) -> None:
    """generate-history's default rate is the stream's: the same seed and start give the very
    messages the simulator streams, each vehicle at 2 Hz in both."""
    start = dt.datetime(*WEDNESDAY, 17, tzinfo=NY)
    sim = start_sim("--profile", "daily", "--seed", "11", "--start", start.isoformat())

    async def stream() -> list[str]:
        client = VccClient(sim.url, SIM_ID, SIM_SECRET)
        stop, texts, frames = asyncio.Event(), [], 0
        try:
            async for messages in client.stream("bsm", stop):
                texts += [m.raw for m in messages]
                frames += 1
                if frames == 12:
                    stop.set()
            return texts
        finally:
            await client.aclose()

    live = asyncio.run(asyncio.wait_for(stream(), 60))
    archive = LocalArchive(tmp_path / "archive")
    generate_history(archive, default_intersections(), 11, start, start + dt.timedelta(seconds=40))
    history = [m.raw for day in days(start, start + dt.timedelta(seconds=40)) for name in archive.list("bsm", day)
               for m in from_parquet(archive.read(name)).messages]

    live_msgs = [json.loads(t) for t in live]
    first, last = min(m["timestamp"] for m in live_msgs), max(m["timestamp"] for m in live_msgs)
    assert last - first >= 3_000, "a few seconds streamed"
    same_span = [t for t in history if first <= json.loads(t)["timestamp"] <= last]
    assert sorted(live) == sorted(same_span), "the history is what the stream delivered, message for message"
    for name, msgs in (("live", live_msgs), ("history", [json.loads(t) for t in history])):
        gaps = per_vehicle_gaps(msgs)
        assert set(gaps) == {STEP_MS}, f"{name}: every vehicle sends every 500 ms (2 Hz): {gaps}"
    assert len(history) / 40 > 15, "the evening rush: dozens of messages a second"
