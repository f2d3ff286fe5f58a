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
from collector.sim.world import World


def generate_history(archive: Archive, intersections: list[Intersection], seed: int, start: dt.datetime,
                     end: dt.datetime, vehicles: int = 4, every_ms: int = 10_000, batch_minutes: int = 10) -> int:
    """Simulated traffic of [start, end) written to the archive as the collector would have
    (one file per type per `batch_minutes`, receipt 20 ms after each message), one message per
    vehicle and pedestrian every `every_ms` (the world moves in 1 s steps); returns the number of
    messages. MapData comes first; SPaT once a minute."""
    start_ms, end_ms = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
    world = World(intersections, seed, start_ms, vehicles, step_ms=1000)
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
