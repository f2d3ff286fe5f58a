"""What the collector moves: a message as received, and a batch of messages of one type (the unit
that is spooled, archived as one Parquet file and landed in one transaction)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    msg_type: str            # bsm | psm | mapdata | spat
    received_at: dt.datetime
    raw: str                 # the message's own JSON text (SPaT: the string the API returned)


@dataclass(frozen=True)
class Batch:
    batch_id: uuid.UUID
    msg_type: str
    messages: list[Message]

    @property
    def first_received(self) -> dt.datetime:
        return min(m.received_at for m in self.messages)


@dataclass(frozen=True)
class BatchHeader:
    """What the archive needs of a batch to name and mark its file (a Batch provides it too)."""
    batch_id: uuid.UUID
    msg_type: str
    first_received: dt.datetime
