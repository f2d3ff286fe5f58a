"""The durable local spool: every batch is written here (fsync'd, renamed into place) before it
is acknowledged, and stays until both the archive and the database have taken it (or it is set
aside in rejected/: unreadable, or failing for good in one sink). A crash at any
moment therefore loses nothing acknowledged; on restart the spool drains first, oldest first.
The database de-duplicates a batch landed twice and the archive recognises its own file, so
redoing a write that happened just before a crash duplicates nothing.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from collector.archive import to_parquet
from collector.messages import Batch

SINKS = ("archive", "db")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Spool:
    def __init__(self, directory: str | os.PathLike[str]):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.rejected = self.dir / "rejected"
        self._lock = threading.Lock()  # the two sinks finish the same entry concurrently
        for stale in self.dir.glob(".*.tmp"):  # a write cut short by a crash was never acknowledged
            stale.unlink()

    def add(self, batch: Batch) -> Path:
        data = to_parquet(batch)
        final = self.dir / f"{time.time_ns():020d}_{batch.msg_type}_{batch.batch_id}.parquet"
        tmp = self.dir / f".{final.name}.tmp"
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.rename(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)  # a full disk must not keep the space it could not use
            raise
        _fsync_dir(self.dir)
        return final

    def oldest_age_s(self) -> float:
        """Age of the oldest entry (its name starts with its creation time in ns), 0 if none."""
        entries = self.entries()
        return max(0.0, time.time() - int(entries[0].name.split("_", 1)[0]) / 1e9) if entries else 0.0

    def reject(self, entry: Path, sink: str, reason: str) -> Path:
        """Sets an entry aside in rejected/ with a .reason file. For one sink (its write keeps
        failing) a hard link is kept there and the entry counts as done for that sink, so the
        other sink still takes it; for both (the file cannot be read) the entry moves there."""
        with self._lock:
            self.rejected.mkdir(exist_ok=True)
            kept = self.rejected / entry.name
            if sink == "all":
                os.replace(entry, kept)
                for s in SINKS:
                    self._marker(entry, s).unlink(missing_ok=True)
            elif not kept.exists():
                os.link(entry, kept)
            kept.with_name(kept.name + f".{sink}.reason").write_text(reason + "\n")
            _fsync_dir(self.rejected)
        if sink != "all":
            self.done(entry, sink)
        else:
            _fsync_dir(self.dir)
        return kept

    def entries(self) -> list[Path]:
        return sorted(self.dir.glob("*.parquet"))

    def pending(self, sink: str) -> list[Path]:
        return [e for e in self.entries() if not self._marker(e, sink).exists()]

    def done(self, entry: Path, sink: str) -> None:
        with self._lock:
            self._marker(entry, sink).touch()
            if all(self._marker(entry, s).exists() for s in SINKS):
                entry.unlink()
                for s in SINKS:
                    self._marker(entry, s).unlink(missing_ok=True)
            _fsync_dir(self.dir)

    @staticmethod
    def _marker(entry: Path, sink: str) -> Path:
        return entry.with_name(f"{entry.name}.{sink}")
