"""Deterministic synthetic V2X traffic: vehicles (BSM) driving through intersections and
pedestrians (PSM) crossing them, as VCC-shaped JSON messages.

Used by the benchmarks and tests; the VCC simulator builds on it.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

METRES_PER_DEGREE_LAT = 110_574.0


@dataclass(frozen=True)
class Intersection:
    id: int
    latitude: float
    longitude: float
    time_zone: str = "America/New_York"   # local time of the simulated daily and weekly profile


def grid_intersections(count: int, first_id: int = 1, origin: tuple[float, float] = (38.85, -77.30)) -> list[Intersection]:
    """`count` intersections on a grid about 1 km apart, starting at `origin` (Fairfax County)."""
    side = math.ceil(math.sqrt(count))
    return [
        Intersection(first_id + n, origin[0] + (n // side) * 0.009, origin[1] + (n % side) * 0.0115)
        for n in range(count)
    ]


def _offset(ix: Intersection, east_m: float, north_m: float) -> tuple[float, float]:
    lat = ix.latitude + north_m / METRES_PER_DEGREE_LAT
    lon = ix.longitude + east_m / (111_320.0 * math.cos(math.radians(ix.latitude)))
    return lat, lon


def bsm(ts_ms: int, vehicle_id: int, msg_cnt: int, lat: float, lon: float, speed: float, heading: float,
        accel_lon: float) -> dict[str, object]:
    return {
        "timestamp": ts_ms, "rsuName": "Synthetic", "format": "JSON",
        "bsmJson": {"coreData": {
            "msgCnt": msg_cnt % 128, "id": vehicle_id, "secMark": ts_ms % 60_000,
            "lat": round(lat, 7), "lon": round(lon, 7), "elev": 120.0, "speed": round(speed, 2),
            "heading": round(heading, 2), "angle": 0,
            "accelSet": {"lon": round(accel_lon, 2), "lat": 0.0, "vert": 0, "yaw": 0},
            "brakes": {"wheelBrakes": 1 if accel_lon < -1 else 0}, "size": {"width": 190, "length": 480},
        }},
    }


def psm(ts_ms: int, psm_id: int, msg_cnt: int, lat: float, lon: float, speed: float, basic_type: int = 1) -> dict[str, object]:
    return {
        "timestamp": ts_ms, "rsuName": "Synthetic", "format": "JSON",
        "psmJson": {"basicType": basic_type, "id": psm_id, "msgCnt": msg_cnt % 128, "secMark": ts_ms % 60_000,
                    "position": {"lat": round(lat, 7), "lon": round(lon, 7), "elev": 120.0},
                    "speed": round(speed, 2), "heading": 90.0},
    }


def traffic(intersections: list[Intersection], start_ms: int, seconds: int, vehicles_per_intersection: int,
            hz: float = 2.0, seed: int = 1) -> Iterator[tuple[str, int, str]]:
    """Messages of `seconds` of traffic, in time order per intersection: (msg_type, ts_ms, json).

    Each intersection keeps `vehicles_per_intersection` vehicles on its four approaches, each
    crossing at 8–17 m/s over a 200 m stretch and re-entering with a new temporary id; about one
    vehicle in ten brakes hard near the stop line; one pedestrian crosses every 30 s.
    """
    rng = random.Random(seed)
    step_ms = int(1000 / hz)
    for ix in intersections:
        lanes = [(rng.choice([0.0, 90.0, 180.0, 270.0]), rng.uniform(8, 17), rng.uniform(-100, 100),
                  rng.random() < 0.1) for _ in range(vehicles_per_intersection)]
        for t_ms in range(0, seconds * 1000, step_ms):
            ts = start_ms + t_ms
            for v, (heading, speed, pos0, brakes) in enumerate(lanes):
                s = (pos0 + speed * t_ms / 1000) % 200 - 100          # metres along the approach
                lap = int((pos0 + speed * t_ms / 1000 + 100) // 200)  # new temporary id every pass
                rad = math.radians(heading)
                lat, lon = _offset(ix, s * math.sin(rad), s * math.cos(rad) + (v % 3) * 3.5)
                accel = -4.0 if brakes and -30 < s < -10 else -0.3
                vehicle_id = ix.id * 100_000 + v * 100 + lap % 100
                yield "bsm", ts, json.dumps(bsm(ts, vehicle_id, t_ms // step_ms, lat, lon, speed, heading, accel))
            if (t_ms // 1000) % 30 < 10:                              # a pedestrian crossing
                walked = ((t_ms // 1000) % 30) * 1.3 - 6.5
                lat, lon = _offset(ix, walked, -8.0)
                yield "psm", ts, json.dumps(psm(ts, ix.id * 100_000 + 99_000 + t_ms // 30_000, t_ms // step_ms, lat, lon, 1.3))
