"""The Parquet archive, in a local directory and in GCS (gcp-storage-emulator): the design
document's names, contents that read back equal, no overwrite under concurrent batches, and a
batch written again (after a crash) recognised instead of copied."""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from collector.archive import Archive, GcsArchive, LocalArchive, from_parquet, to_parquet
from collector.messages import Batch, Message
from collector_fixtures import gcs_emulator  # noqa: F401  (fixture)

WHEN = dt.datetime(2026, 11, 20, 7, 5, 9, 250_000, tzinfo=dt.timezone.utc)
NAME = re.compile(r"raw/(bsm|psm|mapdata|spat)/\d{4}/\d{2}/\d{2}/\1_\d{4}-\d{2}-\d{2}_\d{6}(_\d+)?\.parquet")


def batch(n: int, msg_type: str = "bsm") -> Batch:
    raws = ['{"timestamp": 1763622309250, "bsmJson": {"coreData": {"id": %d, "speed": 0.0, "brakes": {}}}}' % n,
            '{"timestamp": 1, "bsmJson": {"coreData": {"id": ',  # bad JSON is archived as received
            '"{\\"intersections\\": []}"']
    return Batch(uuid.uuid4(), msg_type, [Message(msg_type, WHEN + dt.timedelta(milliseconds=i), r) for i, r in enumerate(raws)])


@pytest.fixture(params=["local", "gcs"])
def archive(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Archive]:
    if request.param == "local":
        yield LocalArchive(tmp_path / "archive")
    else:
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", "http://" + request.getfixturevalue("gcs_emulator"))
        yield GcsArchive("archive")


def test_names_follow_the_layout_and_contents_read_back_equal(archive: Archive) -> None:
    b = batch(1)
    name = archive.put(b, to_parquet(b))
    assert name == "raw/bsm/2026/11/20/bsm_2026-11-20_070509.parquet"
    assert archive.list("bsm", WHEN.date()) == [name]
    back = from_parquet(archive.read(name))
    assert back == b, "every message's JSON text, receipt time (µs) and the batch id survive"
    meta = pq.read_metadata(io.BytesIO(archive.read(name)))
    assert meta.row_group(0).column(2).compression == "ZSTD"


def test_concurrent_batches_never_overwrite_and_a_retried_batch_is_not_copied(archive: Archive) -> None:
    batches = [batch(n) for n in range(8)]     # all of the same second: the same base name
    names: dict[uuid.UUID, str] = {}

    def put(b: Batch) -> None:
        names[b.batch_id] = archive.put(b, to_parquet(b))

    threads = [threading.Thread(target=put, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(set(names.values())) == 8 and all(NAME.fullmatch(n) for n in names.values())
    assert sorted(archive.list("bsm", WHEN.date())) == sorted(names.values())
    for b in batches:
        assert from_parquet(archive.read(names[b.batch_id])) == b, "each file holds its own batch"
        assert archive.put(b, to_parquet(b)) == names[b.batch_id], "written again: found, not copied"
    assert len(archive.list("bsm", WHEN.date())) == 8


def test_a_local_write_leaves_only_the_final_file(tmp_path: Path) -> None:
    a = LocalArchive(tmp_path)
    b = batch(1, "spat")
    name = a.put(b, to_parquet(b))
    folder = (tmp_path / name).parent
    assert [p.name for p in folder.iterdir()] == [Path(name).name], "the temporary file is gone"
