"""The VCC client against the simulator over real HTTP and WebSocket: auth (form-encoded, token
expiry, one re-authentication on 401, refused credentials), pacing, the REST endpoints' shapes,
streams at 2 Hz per vehicle with reconnection; and the simulator's determinism."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable

import httpx
import pytest

from collector.sim.synthetic import Intersection
from collector.sim.world import World
from collector.vcc import VccAuthError, VccClient
from collector_fixtures import SIM_ID, SIM_SECRET, Sim, start_sim  # noqa: F401  (fixture)

ONE = "9101:39.1:-77.6"


def client(sim: Sim, **kw: object) -> VccClient:
    return VccClient(sim.url, SIM_ID, SIM_SECRET, **kw)  # type: ignore[arg-type]


def test_token_is_form_encoded_refreshed_before_expiry_and_renewed_once_on_401(start_sim: Callable[..., Sim]) -> None:
    sim = start_sim("--intersections", ONE, "--token-lifetime", "2")
    json_login = httpx.post(sim.url + "/api/auth/client", json={"client_id": SIM_ID, "client_secret": SIM_SECRET})
    assert json_login.status_code == 400, "the API takes a form-encoded body, not JSON"
    assert httpx.get(sim.url + "/api/bsm/current").status_code == 401, "no token, no data"

    async def scenario() -> tuple[int, int, int]:
        c = client(sim)
        try:
            await c.bsm_current()
            first = c.authentications
            await asyncio.sleep(2.2)             # the 2 s token has expired: refreshed before the call
            await c.psm_current()
            refreshed = c.authentications
            sim.control("revoke-tokens")         # the server forgets the token: 401, re-auth once, retry
            await c.spat()
            return first, refreshed, c.authentications
        finally:
            await c.aclose()

    first, refreshed, after_401 = asyncio.run(scenario())
    assert (first, refreshed, after_401) == (1, 2, 3)


def test_refused_credentials_raise_instead_of_retrying(start_sim: Callable[..., Sim]) -> None:
    sim = start_sim("--intersections", ONE)

    async def scenario() -> None:
        c = VccClient(sim.url, SIM_ID, "wrong")
        try:
            await c.bsm_current()
        finally:
            await c.aclose()

    with pytest.raises(VccAuthError):
        asyncio.run(scenario())


def test_rest_endpoints_give_the_reference_shapes_and_calls_are_paced(start_sim: Callable[..., Sim]) -> None:
    sim = start_sim("--intersections", "9102:39.2:-77.6,9103:39.3:-77.6", "--vehicles", "3")
    time.sleep(1.2)

    async def scenario() -> tuple[list, list, list, list, float]:  # type: ignore[type-arg]
        c = client(sim)
        try:
            t0 = time.monotonic()
            bsms = await c.bsm_current()
            maps = await c.mapdata()
            one = await c.mapdata(9103)
            spats = await c.spat()
            paced = time.monotonic() - t0
            with pytest.raises(httpx.HTTPStatusError) as missing:
                await c.mapdata(4242)
            assert missing.value.response.status_code == 404
            return bsms, maps, one, spats, paced
        finally:
            await c.aclose()

    bsms, maps, one, spats, paced = asyncio.run(scenario())
    assert paced >= 0.3, "four calls at least 100 ms apart"
    core = json.loads(bsms[0].raw)["bsmJson"]["coreData"]
    assert {"msgCnt", "id", "secMark", "lat", "lon", "speed", "heading", "accelSet", "brakes", "size"} <= core.keys()
    assert 0 <= core["speed"] < 40 and "lon" in core["accelSet"], "speed in m/s, acceleration under accelSet.lon"
    assert len({json.loads(m.raw)["bsmJson"]["coreData"]["id"] for m in bsms}) >= 6, "a snapshot: latest per vehicle"
    assert sorted(json.loads(m.raw)["intersections"][0]["id"]["id"] for m in maps) == [9102, 9103]
    assert [json.loads(m.raw)["intersections"][0]["id"]["id"] for m in one] == [9103]
    # SPaT: the answer is a list of strings, each parsed again
    doc = json.loads(spats[0].raw)
    assert isinstance(doc, dict) and doc["intersections"][0]["states"][0]["stateTimeSpeed"][0]["eventState"] in (3, 6, 8)


def test_streams_send_two_messages_a_second_per_vehicle_and_reconnect(start_sim: Callable[..., Sim]) -> None:
    sim = start_sim("--intersections", ONE, "--vehicles", "4")

    async def scenario() -> tuple[Counter[int], int, float]:
        c = client(sim)
        stop = asyncio.Event()
        per_vehicle: Counter[int] = Counter()
        frames = 0
        t0 = time.monotonic()
        try:
            async for messages in c.stream("bsm", stop):
                frames += 1
                per_vehicle.update(json.loads(m.raw)["bsmJson"]["coreData"]["id"] for m in messages)
                if frames == 4:
                    sim.control("drop-streams")   # the server closes: the client reconnects with a new key
                if frames == 14:
                    stop.set()
            return per_vehicle, frames, time.monotonic() - t0
        finally:
            await c.aclose()

    per_vehicle, frames, elapsed = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert frames >= 14
    total = sum(per_vehicle.values())
    # 4 vehicles at 2 Hz over the streamed time (a new temporary id when a vehicle leaves)
    assert 4 * 2 * (elapsed - 2.5) <= total <= 4 * 2 * elapsed + 8, (total, elapsed)


def test_the_world_is_deterministic_for_a_seed() -> None:
    ixs = [Intersection(1, 38.9, -77.2), Intersection(2, 38.95, -77.25)]

    def run(seed: int) -> list[str]:
        w = World(ixs, seed, 1_780_000_000_000, profile="flat")  # the daily world: test_sim_character.py
        return [json.dumps(m) for _ in range(240) for _, m in w.step()]

    a, b, c = run(5), run(5), run(6)
    assert a == b and a != c
    speeds = [json.loads(m)["bsmJson"]["coreData"]["speed"] for m in a if "bsmJson" in m]
    assert min(speeds) == 0.0 and max(speeds) > 8, "vehicles stop at red and drive at urban speeds"
    assert any('"basicType": 2' in m for m in a) or any('"basicType": 1' in m for m in a), "pedestrians or cyclists cross"


def test_the_rsu_filter_selects_a_stream_and_time_runs_accelerated(start_sim: Callable[..., Sim]) -> None:
    sim = start_sim("--intersections", "9104:39.4:-77.6,9105:39.5:-77.6", "--vehicles", "2", "--accel", "10")
    t0, sim0 = time.monotonic(), sim.stats()["sim_ms"]

    async def scenario() -> set[str]:
        c = client(sim, rsu="^Sim_9105$")
        stop = asyncio.Event()
        rsus: set[str] = set()
        frames = 0
        try:
            async for messages in c.stream("bsm", stop):
                rsus.update(json.loads(m.raw)["rsuName"] for m in messages)
                frames += 1
                if frames == 4:
                    stop.set()
            return rsus
        finally:
            await c.aclose()

    assert asyncio.run(asyncio.wait_for(scenario(), 30)) == {"Sim_9105"}
    ratio = (sim.stats()["sim_ms"] - sim0) / 1000 / (time.monotonic() - t0)
    assert 7 < ratio < 11, f"ten simulated seconds per second, got {ratio:.1f}"
