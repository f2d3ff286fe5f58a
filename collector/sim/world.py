"""The simulated road network behind the VCC simulator and `generate-history`: signalised
intersections with vehicles that drive their approaches, queue and stop at red and occasionally
brake hard or run the red, pedestrians and cyclists crossing; stepped at 0.5 s (the streams' 2 Hz
per vehicle), deterministic for a seed and a start time.

The world has character (profile "daily", the default):
- a daily and weekly profile in each intersection's local time (`Intersection.time_zone`):
  weekday rush hours about 7–9 and 16–19, quiet nights, weekends lighter with a midday bump
  (`demand`); vehicles arrive at a rate that follows it and leave when they are through;
- intersections that differ (`character`, derived from the seed and the intersection's id alone,
  so the simulator and `generate-history` with the same seed give an intersection the same
  character): a busy arterial whose daytime stays busy between the rush hours, a downtown
  crossing full of pedestrians, a fast suburban one with more hard braking and red-light running
  and sharp commuter peaks, a quiet crossing.
Profile "flat" is the world without character: always `vehicles_per_intersection` vehicles per
intersection, every intersection alike (tests that need a steady, known volume).

Message shapes come from collector.sim.synthetic (the bench's generator); this adds the signals,
MapData and SPaT, and time-ordered stepping across intersections.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

from collector.sim.synthetic import Intersection, _offset, bsm, psm

STEP_MS = 500
CYCLE_S = 60            # signal cycle: north-south green 27 s, yellow 3 s, then east-west the same
STOP_LINE_M = -12.0     # along an approach, metres from the centre
LANE_WIDTH_M = 3.66
ENTRY_M, EXIT_M = -95.0, 95.0   # along an approach: vehicles enter and leave within 100 m of the centre
VEHICLE_LENGTH_M = 5.0
MIN_GAP_M = 2.0         # bumper to bumper, standing (car following: the Intelligent Driver Model)
GAP_M = VEHICLE_LENGTH_M + MIN_GAP_M
PROFILES = ("daily", "flat")

# The reference's real MapData intersections (id, lat, lon, lanes).
REAL_INTERSECTIONS: list[tuple[int, float, float, int]] = [
    (152, 38.862981, -77.227696, 25), (156, 38.928411, -77.241071, 33), (158, 38.920952, -77.233830, 21),
    (159, 38.918318, -77.230614, 23), (3837, 37.187012, -80.395026, 8),
]


def default_intersections() -> list[Intersection]:
    return [Intersection(i, lat, lon) for i, lat, lon, _ in REAL_INTERSECTIONS]


def parse_intersections(spec: str) -> list[Intersection]:
    """`id:lat:lon[:time zone],…` (the simulator's --intersections option; America/New_York by default)."""
    out = []
    for item in filter(None, (s.strip() for s in spec.split(","))):
        i, lat, lon, *tz = item.split(":")
        out.append(Intersection(int(i), float(lat), float(lon), *tz))
    return out


# -- the daily and weekly profile ------------------------------------------------------------
# Relative demand (1 = the weekday peak) at each local hour's start, linear in between.
WEEKDAY = (0.07, 0.04, 0.03, 0.03, 0.05, 0.15, 0.40, 0.85, 1.00, 0.75, 0.55, 0.55,
           0.62, 0.60, 0.58, 0.68, 0.88, 1.00, 0.92, 0.65, 0.45, 0.33, 0.20, 0.12)
WEEKEND = (0.14, 0.10, 0.07, 0.05, 0.04, 0.05, 0.08, 0.14, 0.24, 0.36, 0.48, 0.58,
           0.64, 0.64, 0.60, 0.56, 0.52, 0.48, 0.44, 0.38, 0.30, 0.25, 0.20, 0.17)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def demand(t_ms: int, time_zone: str = "America/New_York") -> float:
    """Traffic relative to the weekday rush-hour peak at this instant, in local time: Monday to
    Friday rush hours about 7–9 and 16–19, nights near 0.03–0.1; Saturday and Sunday at most
    0.64, around midday."""
    local = dt.datetime.fromtimestamp(t_ms / 1000, _zone(time_zone))
    table = WEEKEND if local.weekday() >= 5 else WEEKDAY
    hours = local.hour + (local.minute * 60 + local.second) / 3600
    h = int(hours)
    nxt = table[h + 1] if h < 23 else (WEEKEND if (local.weekday() + 1) % 7 >= 5 else WEEKDAY)[0]
    return table[h] + (nxt - table[h]) * (hours - h)


def pedestrian_demand(t_ms: int, time_zone: str = "America/New_York", shoulder: float = 0.0) -> float:
    """Pedestrians follow the traffic, flatter: fewer at night, relatively more at midday."""
    return site_demand(t_ms, time_zone, shoulder) ** 0.7


def site_demand(t_ms: int, time_zone: str = "America/New_York", shoulder: float = 0.0) -> float:
    """`demand` at an intersection whose daytime is fuller by `shoulder` (0–1): d·(1 + s·(1 − d)),
    so the peak stays 1 and the peak hours stay the peaks, nights stay quiet, and the hours between
    carry more (an arterial's midday is about 80 % of its rush hour, a commuter road's about 55 %)."""
    d = demand(t_ms, time_zone)
    return d * (1 + shoulder * (1 - d))


# -- intersections with character ------------------------------------------------------------
@dataclass(frozen=True)
class Character:
    kind: str
    volume: float                  # vehicles, relative to vehicles_per_intersection at the peak
    pedestrians: float             # crossings per signal cycle at the peak
    cyclist_share: float           # of the crossings
    hard_brake_share: float        # of vehicles: brake late and hard (≤ −3.4 m/s²) at red
    red_run_share: float           # of vehicles: run the red
    cruise: tuple[float, float]    # m/s
    shoulder: float = 0.0          # fuller daytime (site_demand)


# kind: volume, pedestrians, cyclists, hard brakers, red runners, cruise speeds, shoulder
ARCHETYPES: dict[str, tuple[float, float, float, float, float, tuple[float, float], float]] = {
    "arterial": (1.6, 1.0, 0.2, 0.08, 0.02, (13.0, 18.0), 1.0),
    "downtown": (1.0, 3.0, 0.3, 0.05, 0.02, (8.0, 13.0), 0.5),
    "suburban": (0.8, 0.3, 0.4, 0.30, 0.07, (12.0, 17.0), 0.0),
    "quiet":    (0.3, 0.4, 0.3, 0.04, 0.01, (8.0, 12.0), 0.0),
}
# The world before it had character, and profile "flat": every intersection alike.
FLAT = Character("flat", 1.0, 0.7, 0.3, 0.1, 0.03, (9.0, 17.0))


# The real intersections' kinds, after their size (MapData lanes): the 33-lane 156 is the
# arterial, Blacksburg's 8-lane 3837 a quiet crossing.
REAL_KINDS = {156: "arterial", 152: "suburban", 159: "downtown", 158: "quiet", 3837: "quiet"}


def character(seed: int, intersection_id: int) -> Character:
    """The intersection's character: an archetype (the real intersections' from REAL_KINDS, any
    other's drawn), each figure varied by up to a quarter; from the seed and the id alone (not
    from the world's start or the other intersections)."""
    r = random.Random(f"character/{seed}/{intersection_id}")
    kind = r.choice(sorted(ARCHETYPES))
    kind = REAL_KINDS.get(intersection_id, kind)
    volume, peds, cyclists, hard, red, cruise, shoulder = ARCHETYPES[kind]

    def vary(x: float) -> float:
        return x * r.uniform(0.8, 1.25)

    return Character(kind, vary(volume), vary(peds), cyclists, min(vary(hard), 0.5), vary(red), cruise, shoulder)


def signal_state(t_ms: int, heading: float) -> int:
    """SPaT eventState of the approach with this heading: 6 green, 8 yellow, 3 red."""
    phase = (t_ms // 1000) % CYCLE_S
    north_south = heading in (0.0, 180.0)
    own = phase if north_south else (phase + CYCLE_S // 2) % CYCLE_S
    return 6 if own < 27 else 8 if own < 30 else 3


@dataclass
class Vehicle:
    heading: float
    lane: int
    cruise: float           # m/s
    s: float                # metres along the approach, ENTRY_M … EXIT_M (within 100 m of the centre)
    speed: float
    vid: int
    msg_cnt: int
    hard_braker: bool
    runs_red: bool


@dataclass
class Walker:
    basic_type: int         # 1 pedestrian, 2 cyclist
    vid: int
    msg_cnt: int
    east_m: float
    north_m: float
    speed: float
    heading: float
    starts_ms: int = 0      # steps onto the crosswalk at this time


@dataclass
class Site:
    ix: Intersection
    character: Character
    vehicles: list[Vehicle] = field(default_factory=list)
    walkers: list[Walker] = field(default_factory=list)


# Mean time a vehicle spends within 95 m of the centre (driving 190 m, waiting at red about a
# third of the time), measured: arrivals at rate n / RESIDENCE_S keep about n vehicles there.
RESIDENCE_S = 24.0


class World:
    def __init__(self, intersections: list[Intersection], seed: int, start_ms: int, vehicles_per_intersection: int = 4,
                 step_ms: int = STEP_MS, profile: str = "daily"):
        """`vehicles_per_intersection`: with profile "daily", vehicles at an intersection of
        volume 1 at the weekday peak (the character scales it, the profile follows the day);
        with "flat", always that many at each intersection. The character of each
        intersection comes from the seed and its id; its traffic from the seed and `start_ms`."""
        if profile not in PROFILES:
            raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}")
        self.rng = random.Random(seed if profile == "flat" else f"world/{seed}/{start_ms}")
        self.step_ms = step_ms
        self.profile = profile
        self.vehicles_per_intersection = vehicles_per_intersection
        self.t_ms = start_ms - start_ms % step_ms
        self.sites = [Site(ix, FLAT if profile == "flat" else character(seed, ix.id)) for ix in intersections]
        for site in self.sites:
            for _ in range(round(self.vehicles_now(site))):
                v = self._new_vehicle(site, self.rng.uniform(ENTRY_M, EXIT_M))
                if v is not None:
                    site.vehicles.append(v)

    def vehicles_now(self, site: Site) -> float:
        """Vehicles the profile and the character ask for at this intersection now (on average)."""
        if self.profile == "flat":
            return float(self.vehicles_per_intersection)
        c = site.character
        return self.vehicles_per_intersection * c.volume * site_demand(self.t_ms, site.ix.time_zone, c.shoulder)

    def _new_vehicle(self, site: Site, s: float) -> Vehicle | None:
        """A vehicle at `s` on a random approach and lane, driving at its cruise speed; None when
        every approach is taken there (no two vehicles on top of each other)."""
        r, c = self.rng, site.character
        for _ in range(8):
            heading, lane = r.choice([0.0, 90.0, 180.0, 270.0]), r.randrange(2)
            lane_mates = [o for o in site.vehicles if o.heading == heading and o.lane == lane]
            if all(abs(o.s - s) >= GAP_M for o in lane_mates):
                cruise = r.uniform(*c.cruise)
                # it comes from upstream, where it saw what is ahead: a queue or a red line (it
                # has been braking comfortably for it since)
                stops = [o.s - s - GAP_M for o in lane_mates if o.s > s]
                if signal_state(self.t_ms, heading) != 6 and s < STOP_LINE_M:
                    stops.append(STOP_LINE_M - s)
                speed = min([cruise, *(math.sqrt(2 * 1.5 * max(d, 0.0)) for d in stops)])
                return Vehicle(heading=heading, lane=lane, cruise=cruise, s=s, speed=speed,
                               vid=r.randrange(1, 2**31), msg_cnt=r.randrange(128),
                               hard_braker=r.random() < c.hard_brake_share, runs_red=r.random() < c.red_run_share)
        return None

    def _poisson(self, mean: float) -> int:
        limit, k, p = math.exp(-mean), 0, self.rng.random()
        while p > limit:
            k += 1
            p *= self.rng.random()
        return k

    def _step_vehicle(self, v: Vehicle, leader: Vehicle | None) -> float:
        """Advance one step behind `leader` (the next vehicle ahead in the same lane, or None);
        returns the longitudinal acceleration (m/s²). Car following is the Intelligent Driver
        Model, with a red (or a yellow it can stop for without braking harder than it is willing
        to) as a standing vehicle at the stop line; a hard braker keeps a short headway and
        brakes late and hard; a red runner ignores the signal (not the vehicle ahead)."""
        dt_s = self.step_ms / 1000
        a_max, b, headway = (2.5, 6.0, 0.5) if v.hard_braker else (1.5, 2.0, 1.2)
        obstacles: list[tuple[float, float]] = []      # (bumper-to-bumper gap, its speed)
        if leader is not None and leader.s - v.s < 100:
            obstacles.append((leader.s - v.s - VEHICLE_LENGTH_M, leader.speed))
        to_line = STOP_LINE_M - v.s
        state = signal_state(self.t_ms, v.heading)
        if state != 6 and not v.runs_red and to_line > -0.5:
            needed = v.speed ** 2 / (2 * max(to_line, 0.1))
            if needed <= (8.0 if state == 3 else b + 0.5):     # else too close: it goes on
                obstacles.append((to_line + MIN_GAP_M, 0.0))
        accel = a_max * (1 - (v.speed / v.cruise) ** 4)
        for gap, speed in obstacles:
            if gap <= 0.1:
                accel = -9.0
                break
            wanted = MIN_GAP_M + max(0.0, v.speed * headway + v.speed * (v.speed - speed) / (2 * math.sqrt(a_max * b)))
            accel = min(accel, a_max * (1 - (v.speed / v.cruise) ** 4 - (wanted / gap) ** 2))
        old = v.speed
        v.speed = max(0.0, v.speed + max(accel, -9.0) * dt_s)
        v.s += v.speed * dt_s
        return (v.speed - old) / dt_s

    def _arrivals(self, site: Site) -> None:
        """Vehicles that leave make room: profile "flat" replaces each at once; "daily" lets new
        ones arrive at the rate of the profile."""
        gone = [v for v in site.vehicles if v.s > EXIT_M]
        site.vehicles = [v for v in site.vehicles if v.s <= EXIT_M]
        if self.profile == "flat":
            for v in gone:  # a new vehicle enters with a new temporary id
                fresh = self._new_vehicle(site, ENTRY_M + (v.s - EXIT_M))
                if fresh is not None:
                    site.vehicles.append(fresh)
            return
        for _ in range(self._poisson(self.vehicles_now(site) / RESIDENCE_S * self.step_ms / 1000)):
            fresh = self._new_vehicle(site, ENTRY_M)
            if fresh is not None:
                site.vehicles.append(fresh)

    def step(self) -> Iterator[tuple[str, dict[str, object]]]:
        """One 0.5 s step of every intersection: (msg_type, message) in time order."""
        self.t_ms += self.step_ms
        ts = self.t_ms
        for site in self.sites:
            ix = site.ix
            self._arrivals(site)
            ahead: dict[tuple[float, int], Vehicle] = {}
            moved: dict[int, float] = {}
            for v in sorted(site.vehicles, key=lambda v: -v.s):  # the leader of each lane moves first
                moved[id(v)] = self._step_vehicle(v, ahead.get((v.heading, v.lane)))
                ahead[(v.heading, v.lane)] = v
            for v in site.vehicles:
                accel = moved[id(v)]
                rad = math.radians(v.heading)
                side = (v.lane + 0.5) * LANE_WIDTH_M  # right-hand traffic
                lat, lon = _offset(ix, v.s * math.sin(rad) + side * math.cos(rad), v.s * math.cos(rad) - side * math.sin(rad))
                v.msg_cnt = (v.msg_cnt + 1) % 128
                msg = bsm(ts, v.vid, v.msg_cnt, lat, lon, v.speed, v.heading, max(accel, -19.9))
                msg["rsuName"] = f"Sim_{ix.id}"  # one RSU per intersection (the streams' rsu filter)
                yield "bsm", msg
            yield from self._step_walkers(site, ts)

    def _step_walkers(self, site: Site, ts: int) -> Iterator[tuple[str, dict[str, object]]]:
        """Pedestrians and cyclists cross the south leg while north-south traffic has red (the
        first 10 s of east-west green), in both directions."""
        c = site.character
        if ts % (CYCLE_S * 1000) == (CYCLE_S // 2) * 1000:  # east-west green: who crosses this cycle
            if self.profile == "flat":
                crossing = 1 if self.rng.random() < c.pedestrians else 0
            else:
                crossing = self._poisson(c.pedestrians * pedestrian_demand(ts, site.ix.time_zone, c.shoulder))
            for n in range(crossing):
                cyclist = self.rng.random() < c.cyclist_share
                east = self.profile == "flat" or self.rng.random() < 0.5
                starts = ts if n == 0 else ts + self.rng.randrange(0, 10_000, self.step_ms)
                site.walkers.append(Walker(2 if cyclist else 1, self.rng.randrange(1, 2**31), self.rng.randrange(128),
                                           -10.0 if east else 10.0, STOP_LINE_M + 4, 4.5 if cyclist else 1.3,
                                           90.0 if east else 270.0, starts))
        for w in list(site.walkers):
            if w.starts_ms > ts:
                continue
            w.east_m += w.speed * self.step_ms / 1000 * (1 if w.heading == 90.0 else -1)
            if abs(w.east_m) > 10:
                site.walkers.remove(w)
                continue
            lat, lon = _offset(site.ix, w.east_m, w.north_m)
            w.msg_cnt = (w.msg_cnt + 1) % 128
            msg = psm(ts, w.vid, w.msg_cnt, lat, lon, w.speed, w.basic_type)
            msg["psmJson"]["heading"] = w.heading  # type: ignore[index]
            msg["rsuName"] = f"Sim_{site.ix.id}"
            yield "psm", msg

    def mapdata(self) -> list[dict[str, object]]:
        """Decoded MapData, one message per intersection (lanes as node lists of absolute positions)."""
        out = []
        for site in self.sites:
            ix = site.ix
            lanes = []
            for n, heading in enumerate((0.0, 90.0, 180.0, 270.0)):
                rad = math.radians(heading)
                for lane in range(2):
                    side = (lane + 0.5) * LANE_WIDTH_M
                    nodes = [dict(zip(("lat", "lon"), (round(c, 7) for c in _offset(
                        ix, s * math.sin(rad) + side * math.cos(rad), s * math.cos(rad) - side * math.sin(rad)))))
                        for s in (STOP_LINE_M, -100.0)]
                    lanes.append({"laneID": n * 2 + lane + 1, "laneAttributes": {"laneType": "vehicle"},
                                  "nodesList": {"nodes": [{"delta": d} for d in nodes]}})
            lanes.append({"laneID": 20, "laneAttributes": {"laneType": "crosswalk"},
                          "nodesList": {"nodes": [{"delta": dict(zip(("lat", "lon"), _offset(ix, e, STOP_LINE_M + 4)))}
                                                  for e in (-10.0, 10.0)]}})
            out.append({"timestamp": self.t_ms, "rsuName": "Simulator", "format": "JSON", "intersections": [{
                "id": {"region": 0, "id": ix.id}, "name": f"Simulated {ix.id}", "revision": 1,
                "refPoint": {"lat": ix.latitude, "lon": ix.longitude, "elevation": 120.0},
                "laneWidth": LANE_WIDTH_M, "speedLimits": [{"type": "vehicleMaxSpeed", "speed": 15.65}],
                "laneSet": lanes}]})
        return out

    def spat(self) -> list[str]:
        """SPaT as the API gives it with format=JSON: a list of strings, each a JSON document."""
        when = dt.datetime.fromtimestamp(self.t_ms / 1000, dt.timezone.utc)
        moy = int((when - when.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)).total_seconds() // 60)
        phase_ms = self.t_ms % (CYCLE_S * 1000)
        docs = []
        for site in self.sites:
            states = []
            for group, heading in ((2, 0.0), (4, 90.0)):
                state = signal_state(self.t_ms, heading)
                own = phase_ms if heading == 0.0 else (phase_ms + CYCLE_S * 500) % (CYCLE_S * 1000)
                end = {6: 27_000, 8: 30_000}.get(state, CYCLE_S * 1000) - own
                states.append({"signalGroup": group, "stateTimeSpeed": [{"eventState": state, "timing": {
                    "minEndTimeStamp": end // 100, "maxEndTimeStamp": 36001, "likelyTimeStamp": end // 100}}]})
            docs.append(json.dumps({"timestamp": self.t_ms, "intersections": [{
                "id": {"region": 0, "id": site.ix.id}, "revision": 1, "moy": moy, "timeStamp": self.t_ms % 60_000,
                "states": states}]}))
        return docs


MALFORMED_KINDS = ("bad_json", "missing_id", "sentinel_speed", "wrong_type")


def malformed(kind: str, msg_type: str, ts_ms: int, rng: random.Random) -> str:
    """A malformed message as text (bad JSON cannot be a dict)."""
    if kind == "bad_json":
        return '{"timestamp": %d, "bsmJson": {"coreData": {"id": ' % ts_ms
    base = bsm(ts_ms, rng.randrange(1, 2**31), 1, 38.86, -77.22, 10.0, 90.0, 0.0) if msg_type == "bsm" \
        else psm(ts_ms, rng.randrange(1, 2**31), 1, 38.86, -77.22, 1.3)
    body = base["bsmJson"]["coreData"] if msg_type == "bsm" else base["psmJson"]  # type: ignore[index]
    if kind == "missing_id":
        del body["id"]
    elif kind == "sentinel_speed":
        body["speed"] = 163.82
    else:
        body["secMark"] = "soon"
    return json.dumps(base)
