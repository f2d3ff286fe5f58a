"""The simulated road network behind the VCC simulator and `generate-history`: signalised
intersections with vehicles that drive their approaches, stop at red and occasionally brake hard
or run the red, pedestrians and cyclists crossing; stepped at 0.5 s (the streams' 2 Hz per
vehicle), deterministic for a seed and a start time.

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

from collector.sim.synthetic import Intersection, _offset, bsm, psm

STEP_MS = 500
CYCLE_S = 60            # signal cycle: north-south green 27 s, yellow 3 s, then east-west the same
STOP_LINE_M = -12.0     # along an approach, metres from the centre
LANE_WIDTH_M = 3.66

# The reference's real MapData intersections (id, lat, lon, lanes).
REAL_INTERSECTIONS: list[tuple[int, float, float, int]] = [
    (152, 38.862981, -77.227696, 25), (156, 38.928411, -77.241071, 33), (158, 38.920952, -77.233830, 21),
    (159, 38.918318, -77.230614, 23), (3837, 37.187012, -80.395026, 8),
]


def default_intersections() -> list[Intersection]:
    return [Intersection(i, lat, lon) for i, lat, lon, _ in REAL_INTERSECTIONS]


def parse_intersections(spec: str) -> list[Intersection]:
    """`id:lat:lon,id:lat:lon…` (the simulator's --intersections option)."""
    out = []
    for item in filter(None, (s.strip() for s in spec.split(","))):
        i, lat, lon = item.split(":")
        out.append(Intersection(int(i), float(lat), float(lon)))
    return out


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
    s: float                # metres along the approach, -95 … +95 (within 100 m of the centre)
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


@dataclass
class Site:
    ix: Intersection
    vehicles: list[Vehicle] = field(default_factory=list)
    walkers: list[Walker] = field(default_factory=list)


class World:
    def __init__(self, intersections: list[Intersection], seed: int, start_ms: int, vehicles_per_intersection: int = 8,
                 step_ms: int = STEP_MS):
        """`step_ms` 1000 moves faster through days of history (generate-history)."""
        self.rng = random.Random(seed)
        self.step_ms = step_ms
        self.t_ms = start_ms - start_ms % step_ms
        self.sites = [Site(ix) for ix in intersections]
        for site in self.sites:
            for _ in range(vehicles_per_intersection):
                cruise = self.rng.uniform(9, 17)
                site.vehicles.append(self._new_vehicle(self.rng.uniform(-95, 95), cruise))

    def _new_vehicle(self, s: float, speed: float) -> Vehicle:
        r = self.rng
        return Vehicle(heading=r.choice([0.0, 90.0, 180.0, 270.0]), lane=r.randrange(2), cruise=r.uniform(9, 17),
                       s=s, speed=speed, vid=r.randrange(1, 2**31), msg_cnt=r.randrange(128),
                       hard_braker=r.random() < 0.1, runs_red=r.random() < 0.03)

    def _step_vehicle(self, v: Vehicle) -> float:
        """Advance one step; returns the longitudinal acceleration (m/s²)."""
        dt_s = self.step_ms / 1000
        to_line = STOP_LINE_M - v.s
        state = signal_state(self.t_ms, v.heading)
        accel = min(1.5, (v.cruise - v.speed) / dt_s)
        if state != 6 and not v.runs_red and 0 < to_line < 60:
            needed = v.speed ** 2 / (2 * max(to_line - 2, 0.5))
            if needed > 0.8:
                accel = -min(needed * (1.6 if v.hard_braker else 1.0), 8.0)
        elif state != 6 and not v.runs_red and -1 < to_line <= 0:
            accel = -v.speed / dt_s  # at the line: stay stopped
        v.speed = max(0.0, v.speed + accel * dt_s)
        v.s += v.speed * dt_s
        if v.s > 95:  # gone: a new vehicle enters this approach with a new temporary id
            fresh = self._new_vehicle(-95 + (v.s - 95), 0.0)
            fresh.speed = fresh.cruise
            v.__dict__.update(fresh.__dict__)
        return accel

    def step(self) -> Iterator[tuple[str, dict[str, object]]]:
        """One 0.5 s step of every intersection: (msg_type, message) in time order."""
        self.t_ms += self.step_ms
        ts = self.t_ms
        for site in self.sites:
            ix = site.ix
            for v in site.vehicles:
                accel = self._step_vehicle(v)
                rad = math.radians(v.heading)
                side = (v.lane + 0.5) * LANE_WIDTH_M  # right-hand traffic
                lat, lon = _offset(ix, v.s * math.sin(rad) + side * math.cos(rad), v.s * math.cos(rad) - side * math.sin(rad))
                v.msg_cnt = (v.msg_cnt + 1) % 128
                msg = bsm(ts, v.vid, v.msg_cnt, lat, lon, v.speed, v.heading, max(accel, -19.9))
                msg["rsuName"] = f"Sim_{ix.id}"  # one RSU per intersection (the streams' rsu filter)
                yield "bsm", msg
            yield from self._step_walkers(site, ts)

    def _step_walkers(self, site: Site, ts: int) -> Iterator[tuple[str, dict[str, object]]]:
        phase = (ts // 1000) % CYCLE_S
        if phase == 30 and ts % max(1000, self.step_ms) == 0 and self.rng.random() < 0.7:  # east-west green: someone crosses
            cyclist = self.rng.random() < 0.3
            site.walkers.append(Walker(2 if cyclist else 1, self.rng.randrange(1, 2**31), self.rng.randrange(128),
                                       -10.0, STOP_LINE_M + 4, 4.5 if cyclist else 1.3, 90.0))
        for w in list(site.walkers):
            w.east_m += w.speed * self.step_ms / 1000
            if w.east_m > 10:
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
