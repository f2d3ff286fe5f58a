"""The raw archive: one compressed Parquet file per batch, at
raw/{bsm|psm|mapdata|spat}/YYYY/MM/DD/{type}_YYYY-MM-DD_HHMMSS[_n].parquet (design document §2.1),
never overwriting an existing file or object.

Each row keeps the message's original JSON text and its receipt time, so the archive can rebuild
the database. The batch id is stored in the file (and as GCS object metadata): writing the same
batch again after a crash finds its own file and stops, instead of adding a copy.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from collector.messages import Batch, BatchHeader, Message

SCHEMA = pa.schema([
    pa.field("msg_type", pa.string(), nullable=False),
    pa.field("received_at", pa.timestamp("us", tz="UTC"), nullable=False),
    pa.field("payload", pa.string(), nullable=False),   # the message's JSON text as received
])
KINDS = ("bsm", "psm", "mapdata", "spat")
# Every GCS call of the collector fails within this and is not retried by the client library
# (its default retries a refused connection for two minutes, silently): the spool retries.
GCS_TIMEOUT_S = 20


def to_parquet(batch: Batch) -> bytes:
    table = pa.table({
        "msg_type": [m.msg_type for m in batch.messages],
        "received_at": [m.received_at for m in batch.messages],
        "payload": [m.raw for m in batch.messages],
    }, schema=SCHEMA.with_metadata({"batch_id": str(batch.batch_id), "msg_type": batch.msg_type}))
    out = io.BytesIO()
    pq.write_table(table, out, compression="zstd")
    return out.getvalue()


def read_table(data: bytes | str | os.PathLike[str]) -> pa.Table:
    return pq.read_table(io.BytesIO(data) if isinstance(data, bytes) else data)


def batch_id_in(table: pa.Table) -> uuid.UUID:
    return uuid.UUID(table.schema.metadata[b"batch_id"].decode())


def from_parquet(data: bytes | str | os.PathLike[str]) -> Batch:
    table = read_table(data)
    meta = table.schema.metadata
    cols = table.to_pydict()
    messages = [Message(t, r, p) for t, r, p in zip(cols["msg_type"], cols["received_at"], cols["payload"])]
    return Batch(uuid.UUID(meta[b"batch_id"].decode()), meta[b"msg_type"].decode(), messages)


def batch_id_of(data: bytes) -> str:
    return pq.read_schema(io.BytesIO(data)).metadata[b"batch_id"].decode()


def object_name(msg_type: str, when: dt.datetime, n: int = 0) -> str:
    when = when.astimezone(dt.timezone.utc)
    return (f"raw/{msg_type}/{when:%Y/%m/%d}/{msg_type}_{when:%Y-%m-%d_%H%M%S}"
            + (f"_{n}" if n else "") + ".parquet")


def days(start: dt.datetime, end: dt.datetime) -> Iterator[dt.date]:
    day = start.astimezone(dt.timezone.utc).date()
    while day <= end.astimezone(dt.timezone.utc).date():
        yield day
        day += dt.timedelta(days=1)


class Archive(Protocol):
    def put(self, batch: Batch | BatchHeader, data: bytes) -> str: ...
    def list(self, msg_type: str, day: dt.date) -> list[str]: ...
    def read(self, name: str) -> bytes: ...


class LocalArchive:
    """A directory; each file is written aside, fsync'd and hard-linked into place (link fails
    if the name exists: no overwrite, and no half-written file ever carries a final name)."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    def put(self, batch: Batch | BatchHeader, data: bytes) -> str:
        n = 0
        while True:
            name = object_name(batch.msg_type, batch.first_received, n)
            final = self.root / name
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = final.parent / f".{batch.batch_id}.tmp"
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(tmp, final)
            except FileExistsError:
                if batch_id_of(final.read_bytes()) == str(batch.batch_id):
                    return name  # written before a crash: done
                n += 1
                continue
            finally:
                tmp.unlink()
            dirfd = os.open(final.parent, os.O_RDONLY)
            try:
                os.fsync(dirfd)
            finally:
                os.close(dirfd)
            return name

    def list(self, msg_type: str, day: dt.date) -> list[str]:
        folder = self.root / "raw" / msg_type / f"{day:%Y/%m/%d}"
        return sorted(str(p.relative_to(self.root)) for p in folder.glob("*.parquet")) if folder.is_dir() else []

    def read(self, name: str) -> bytes:
        return (self.root / name).read_bytes()


class GcsArchive:
    """A bucket; objects are created with if_generation_match=0, so an existing one is never replaced."""

    def __init__(self, bucket: str):
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import storage
        if os.environ.get("STORAGE_EMULATOR_HOST"):  # a local emulator takes no credentials
            self.client = storage.Client(project="emulator", credentials=AnonymousCredentials())
        else:
            self.client = storage.Client()
        self.bucket = self.client.bucket(bucket)
        self._lock = threading.Lock()

    def put(self, batch: Batch | BatchHeader, data: bytes) -> str:
        from google.api_core.exceptions import PreconditionFailed
        n = 0
        # The precondition is what guarantees no overwrite on GCS, also against other writers;
        # the lock and the existence check make it hold where preconditions are ignored
        # (gcp-storage-emulator) for the writers of this process.
        with self._lock:
            while True:
                name = object_name(batch.msg_type, batch.first_received, n)
                blob = self.bucket.blob(name)
                if not blob.exists(retry=None, timeout=GCS_TIMEOUT_S):
                    blob.metadata = {"batch_id": str(batch.batch_id)}
                    try:
                        # retry=None: the collector's spool retries, with its own backoff
                        blob.upload_from_string(data, content_type="application/vnd.apache.parquet",
                                                if_generation_match=0, retry=None, timeout=GCS_TIMEOUT_S)
                        return name
                    except PreconditionFailed:
                        pass
                if batch_id_of(blob.download_as_bytes(retry=None, timeout=GCS_TIMEOUT_S)) == str(batch.batch_id):
                    return name  # written before a crash: done
                n += 1

    def list(self, msg_type: str, day: dt.date) -> list[str]:
        prefix = f"raw/{msg_type}/{day:%Y/%m/%d}/"
        return sorted(b.name for b in self.client.list_blobs(self.bucket, prefix=prefix)
                      if b.name.endswith(".parquet"))

    def read(self, name: str) -> bytes:
        return self.bucket.blob(name).download_as_bytes()


def open_archive(local_dir: str, bucket: str | None) -> Archive:
    return GcsArchive(bucket) if bucket else LocalArchive(local_dir)
