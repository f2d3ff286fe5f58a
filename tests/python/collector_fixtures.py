"""Fixtures of the collector tests: a real simulator process over HTTP/WebSocket, the collector
as a real process, gcp-storage-emulator as GCS, and a TCP proxy that can take the database or
GCS away and bring it back."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
COLLECTOR = [sys.executable, "-m", "collector.cli"]
SIM_ID, SIM_SECRET = "simulator", "simulator-secret"


def fresh_site() -> tuple[int, str, str]:
    """A simulated intersection of a test's own: a fresh id and position each run (a re-run on
    the same database then counts only its own rows, and no older intersection at the same
    place takes its vehicles); returns the id, the simulator's --intersections value, the RSU."""
    ix = random.randrange(10_000, 60_000)
    return ix, f"{ix}:{40 + (ix % 5000) * 0.002:.4f}:{-100 + (ix // 5000) * 0.01:.4f}", f"Sim_{ix}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def _answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=1)
        return True
    except httpx.TransportError:
        return False


@dataclass
class Sim:
    url: str
    proc: subprocess.Popen[bytes]

    def control(self, path: str, **params: str) -> httpx.Response:
        return httpx.post(f"{self.url}/sim/{path}", params=params, timeout=5)

    def stats(self) -> dict[str, int]:
        return httpx.get(f"{self.url}/sim/stats", timeout=5).json()


@pytest.fixture
def start_sim(tmp_path: Path) -> Iterator[Callable[..., Sim]]:
    """start_sim(*options) runs `collector simulate` on a free port until the test ends; with
    `--profile flat` unless the options name a profile (a steady, known volume at any hour)."""
    procs: list[subprocess.Popen[bytes]] = []

    def _start(*options: str) -> Sim:
        if "--profile" not in options:
            options = (*options, "--profile", "flat")
        port = free_port()
        log = (tmp_path / f"sim-{port}.log").open("wb")
        proc = subprocess.Popen([*COLLECTOR, "simulate", "--port", str(port), *options], cwd=ROOT,
                                stdout=log, stderr=subprocess.STDOUT)
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(url + "/sim/stats") or proc.poll() is not None, 20, "the simulator")
        assert proc.poll() is None, (tmp_path / f"sim-{port}.log").read_text()
        return Sim(url, proc)

    yield _start
    for p in procs:
        p.terminate()
        p.wait(timeout=10)


class TcpProxy:
    """Forwards 127.0.0.1:port to a TCP address or a Unix socket; down() refuses connections and
    cuts open ones (the service is gone), up() serves again on the same port."""

    def __init__(self, target: str | tuple[str, int]):
        self.target, self.port = target, free_port()
        self.conns: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.lock = threading.Lock()
        self.up()

    def _connect(self) -> socket.socket:
        if isinstance(self.target, str):
            s = socket.socket(socket.AF_UNIX)
        else:
            s = socket.socket()
        s.connect(self.target)
        return s

    def up(self) -> None:
        lst = socket.socket()
        lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lst.bind(("127.0.0.1", self.port))
        lst.listen(64)
        self.listener = lst
        threading.Thread(target=self._accept, args=(lst,), daemon=True).start()

    def _accept(self, lst: socket.socket) -> None:
        while True:
            try:
                client, _ = lst.accept()
            except OSError:
                return
            try:
                upstream = self._connect()
            except OSError:
                client.close()
                continue
            with self.lock:
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def down(self) -> None:
        assert self.listener is not None
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close alone would not
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            for s in self.conns:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.conns.clear()


@pytest.fixture
def gcs_emulator(tmp_path: Path) -> Iterator[str]:
    """gcp-storage-emulator on a free port (in memory); yields its host:port."""
    port = free_port()
    log = (tmp_path / "gcs.log").open("wb")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "gcp-storage-emulator"), "start", "--host", "127.0.0.1",
                             "--port", str(port), "--in-memory", "--default-bucket", "archive"],
                            cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/") or proc.poll() is not None, 20, "the GCS emulator")
        assert proc.poll() is None, (tmp_path / "gcs.log").read_text()
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def collector_env(test_db: str, sim: Sim | None, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "TSDB_DATABASE_URL": f"dbname={test_db} user=collector",
        "TSDB_PROCESS_DATABASE_URL": f"dbname={test_db} user=tsdb_owner",
        "COLLECTOR_ARCHIVE_DIR": str(tmp_path / "archive"),
        "COLLECTOR_SPOOL_DIR": str(tmp_path / "spool"),
        "COLLECTOR_BATCH_S": "1",
        "VCC_POLL_INTERVAL_S": "2",
        "VCC_CLIENT_ID": SIM_ID,
        "VCC_CLIENT_SECRET": SIM_SECRET,
        "COLLECTOR_DRAIN_S": "20",
        "TSDB_COLLECTOR_METRICS_PORT": "0",  # tests run beside other stacks; a test that reads /metrics sets one
    }
    if sim:
        env["VCC_BASE_URL"] = sim.url
    env.update(extra)
    return env


class CollectorProcess:
    def __init__(self, env: dict[str, str], log: Path, *args: str):
        self.log = log
        self.out = log.open("ab")
        self.proc = subprocess.Popen([*COLLECTOR, "run", *args], cwd=ROOT, env=env, stdout=self.out,
                                     stderr=subprocess.STDOUT)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=timeout)
        self.out.close()
        return rc

    def text(self) -> str:
        return self.log.read_text()


RunCollector = Callable[..., CollectorProcess]


@pytest.fixture
def run_collector() -> Iterator[RunCollector]:
    """run_collector(env, log, *args) starts `collector run`; whatever a failed test left
    running is killed at teardown."""
    started: list[CollectorProcess] = []

    def _run(env: dict[str, str], log: Path, *args: str) -> CollectorProcess:
        started.append(CollectorProcess(env, log, *args))
        return started[-1]

    yield _run
    for c in started:
        if c.proc.poll() is None:
            c.proc.kill()
            c.proc.wait(timeout=10)
