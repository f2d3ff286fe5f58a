"""The bucket's lifecycle (design document §2.1): raw/ to Nearline after 30 days and to Coldline
after 365, processed/ deleted after 730 days.

On GCS the rules are set as the bucket's lifecycle configuration (Cloud Storage applies them
itself, daily); the command compares them first and patches the bucket only when they differ, so
running it again changes nothing. A local archive directory has no storage classes: there the
command deletes processed/ files whose day (from their path) is more than 730 days old and
only reports how many raw/ files are past each storage-class age.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collector.archive import Archive, GcsArchive, LocalArchive
from collector.logs import fields

log = logging.getLogger("collector.lifecycle")

NEARLINE_DAYS, COLDLINE_DAYS, PROCESSED_DELETE_DAYS = 30, 365, 730
RULES: list[dict[str, Any]] = [
    {"action": {"type": "SetStorageClass", "storageClass": "NEARLINE"},
     "condition": {"age": NEARLINE_DAYS, "matchesPrefix": ["raw/"]}},
    {"action": {"type": "SetStorageClass", "storageClass": "COLDLINE"},
     "condition": {"age": COLDLINE_DAYS, "matchesPrefix": ["raw/"]}},
    {"action": {"type": "Delete"},
     "condition": {"age": PROCESSED_DELETE_DAYS, "matchesPrefix": ["processed/"]}},
]
_DAY = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/[^/]+\.parquet$")


@dataclass
class LifecycleResult:
    target: str
    changed: bool = False                      # GCS: the bucket's rules were replaced
    rules: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)   # local: processed/ files deleted
    raw_past_nearline: int = 0                 # local: raw/ files older than 30 / 365 days
    raw_past_coldline: int = 0


def apply(archive: Archive, today: dt.date | None = None) -> LifecycleResult:
    today = today or dt.datetime.now(dt.timezone.utc).date()
    if isinstance(archive, GcsArchive):
        return _apply_gcs(archive)
    if isinstance(archive, LocalArchive):
        return _apply_local(archive.root, today)
    raise TypeError(f"no lifecycle for {type(archive).__name__}")


def _apply_gcs(archive: GcsArchive) -> LifecycleResult:
    bucket = archive.bucket
    bucket.reload()
    current = [dict(r) for r in bucket.lifecycle_rules]
    result = LifecycleResult(target=f"gs://{bucket.name}", rules=RULES)
    if current != RULES:
        bucket.lifecycle_rules = RULES
        bucket.patch()
        result.changed = True
    log.info("bucket lifecycle", extra=fields(bucket=bucket.name, changed=result.changed))
    return result


def file_day(name: str) -> dt.date | None:
    m = _DAY.search(name)
    return dt.date(int(m[1]), int(m[2]), int(m[3])) if m else None


def _apply_local(root: Path, today: dt.date) -> LifecycleResult:
    result = LifecycleResult(target=str(root))
    for p in sorted((root / "processed").rglob("*.parquet")) if (root / "processed").is_dir() else []:
        day = file_day(p.relative_to(root).as_posix())
        if day is not None and (today - day).days > PROCESSED_DELETE_DAYS:
            p.unlink()
            result.deleted.append(p.relative_to(root).as_posix())
    for p in (root / "raw").rglob("*.parquet") if (root / "raw").is_dir() else []:
        day = file_day(p.relative_to(root).as_posix())
        if day is not None:
            age = (today - day).days
            result.raw_past_nearline += age > NEARLINE_DAYS
            result.raw_past_coldline += age > COLDLINE_DAYS
    log.info("local archive lifecycle", extra=fields(root=str(root), deleted=len(result.deleted),
                                                     raw_past_nearline=result.raw_past_nearline,
                                                     raw_past_coldline=result.raw_past_coldline))
    return result
