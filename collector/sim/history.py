"""`collector generate-history`: simulated days written to the archive as the collector would have
written them, then landed by the production backfill (the local stack's history, the bench)."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from collector.archive import Archive, to_parquet
from collector.backfill import Progress
from collector.messages import Batch, Message
from collector.sim.synthetic import Intersection
from collector.sim.world import STEP_MS, World


def generate_history(archive: Archive, intersections: list[Intersection], seed: int, start: dt.datetime,
                     end: dt.datetime, vehicles: int = 4, every_ms: int = STEP_MS, batch_minutes: int = 10,
                     profile: str = "daily") -> int:
    """Simulated traffic of [start, end) written to the archive as the collector would have
    (one file per type per `batch_minutes`, receipt 20 ms after each message); returns the number
    of messages. MapData comes first; SPaT once a minute.

    The world is the simulator's, stepped as the simulator steps it (0.5 s): with the same seed,
    vehicles, profile and start, the history holds exactly the messages the simulator's streams
    would have delivered, 2 per second per vehicle and pedestrian, with the same daily profile
    and intersection characters. `every_ms` above 500 thins that to one message per vehicle
    every `every_ms` (fewer conflicts per minute than the live stream: not comparable to it)."""
    if every_ms % STEP_MS:
        raise ValueError(f"every_ms must be a multiple of {STEP_MS}, got {every_ms}")
    start_ms, end_ms = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
    world = World(intersections, seed, start_ms, vehicles, profile=profile)
    total = 0

    def received(ts_ms: int) -> dt.datetime:
        return dt.datetime.fromtimestamp((ts_ms + 20) / 1000, dt.timezone.utc)

    def put(kind: str, messages: list[Message]) -> None:
        nonlocal total
        if messages:
            batch = Batch(uuid.uuid4(), kind, messages)
            archive.put(batch, to_parquet(batch))
            total += len(messages)

    put("mapdata", [Message("mapdata", received(world.t_ms), json.dumps(m)) for m in world.mapdata()])
    span = batch_minutes * 60_000
    progress = Progress("generate-history: batches", -(-(end_ms - world.t_ms) // span))
    while world.t_ms < end_ms:
        until = min(world.t_ms - world.t_ms % span + span, end_ms)
        out: dict[str, list[Message]] = {"bsm": [], "psm": [], "spat": []}
        while world.t_ms < until:
            for kind, msg in world.step():
                if world.t_ms % every_ms == 0:
                    out[kind].append(Message(kind, received(world.t_ms), json.dumps(msg)))
            if world.t_ms % 60_000 == 0:
                out["spat"] += [Message("spat", received(world.t_ms), doc) for doc in world.spat()]
        n = sum(map(len, out.values()))
        for kind, messages in out.items():
            put(kind, messages)
        progress.step(n)
    return total
