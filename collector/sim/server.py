"""A local VCC Public API v3.1: the endpoints, auth and message shapes of the reference
(tsi-domain.md §1), serving the traffic of collector.sim.world over real HTTP and WebSocket.

Plain asyncio streams: the WebSocket library's server speaks only GET, and the token endpoint
is a form-encoded POST, so the little HTTP/1.1 and WebSocket framing needed is done here.

Test controls (no auth): POST /sim/inject?type=bsm|psm[&kind=bad_json|missing_id|…] with an
optional raw body adds one message to the next stream frame and snapshot; POST
/sim/inject?type=…&frame=1[&binary=1] sends the body as it is as a stream frame of its own;
POST /sim/auth-outage?seconds=N answers 401 to everything for N seconds; POST /sim/drop-streams
closes every stream; POST /sim/revoke-tokens expires every token; GET /sim/stats counts what
was generated. --sent-log FILE writes every stream frame sent, as JSON lines (ground truth).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import random
import re
import secrets
import struct
import time
import urllib.parse
from dataclasses import dataclass, field

from collector.sim.synthetic import Intersection
from collector.sim.world import MALFORMED_KINDS, STEP_MS, World, default_intersections, malformed

log = logging.getLogger("collector.simulator")
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
SNAPSHOT_MS = 10_000
FRAME_S = 0.5


class FrameOfItsOwn(str):
    """A stream item sent as a frame by itself (a broken frame), not inside the next list."""


class BinaryFrame(bytes):
    """Bytes sent as a binary frame of their own (not necessarily UTF-8)."""


@dataclass
class SimConfig:
    host: str = "127.0.0.1"
    port: int = 8088
    seed: int = 1
    start_ms: int | None = None          # simulated time at start; default: now
    accel: float = 1.0                   # simulated seconds per wall second
    intersections: list[Intersection] = field(default_factory=default_intersections)
    vehicles_per_intersection: int = 4   # at the weekday peak for an intersection of volume 1 (profile "daily")
    profile: str = "daily"               # "daily": rush hours, quiet nights, weekends, characters; "flat": constant
    client_id: str = "simulator"
    client_secret: str = "simulator-secret"
    token_lifetime_s: float = 3600.0
    malformed_rate: float = 0.0          # share of steps per intersection that add one malformed message
    sent_log: str | None = None          # JSON lines of every stream frame sent (the tests' ground truth)


class Simulator:
    def __init__(self, cfg: SimConfig):
        self.cfg = cfg
        self.start_ms = cfg.start_ms if cfg.start_ms is not None else int(time.time() * 1000)
        self.world = World(cfg.intersections, cfg.seed, self.start_ms, cfg.vehicles_per_intersection, profile=cfg.profile)
        self.bad_rng = random.Random(cfg.seed + 1)
        self.wall0 = time.monotonic()
        self.tokens: dict[str, float] = {}
        self.keys: dict[str, tuple[str, float]] = {}
        self.latest: dict[str, dict[int | str, tuple[int, str]]] = {"bsm": {}, "psm": {}}
        self.subscribers: list[tuple[str, re.Pattern[str] | None, asyncio.Queue[str | None]]] = []
        self.generated = {"bsm": 0, "psm": 0, "malformed": 0}
        self.server: asyncio.base_events.Server | None = None
        self.auth_down_until = 0.0   # /sim/auth-outage: every call answers 401 until then
        self.sent_log = open(cfg.sent_log, "a", encoding="utf-8") if cfg.sent_log else None  # noqa: SIM115

    # -- simulated time ------------------------------------------------------------------
    def sim_now_ms(self) -> int:
        return self.start_ms + int((time.monotonic() - self.wall0) * self.cfg.accel * 1000)

    def _publish(self, msg_type: str, key: int | str, ts: int, text: str, rsu: str) -> None:
        self.latest[msg_type][key] = (ts, text)
        for kind, pattern, queue in self.subscribers:
            if kind == msg_type and (pattern is None or pattern.search(rsu)):
                queue.put_nowait(text)

    def advance(self) -> None:
        target = self.sim_now_ms()
        while self.world.t_ms + STEP_MS <= target:
            for msg_type, msg in self.world.step():
                body = msg["bsmJson"]["coreData"] if msg_type == "bsm" else msg["psmJson"]  # type: ignore[index]
                self._publish(msg_type, body["id"], int(msg["timestamp"]), json.dumps(msg), str(msg["rsuName"]))  # type: ignore[arg-type]
                self.generated[msg_type] += 1
            for _ in self.world.sites:
                if self.cfg.malformed_rate and self.bad_rng.random() < self.cfg.malformed_rate:
                    self.inject(self.bad_rng.choice(("bsm", "psm")), self.bad_rng.choice(MALFORMED_KINDS))
        cutoff = self.world.t_ms - SNAPSHOT_MS
        for table in self.latest.values():
            for key in [k for k, (ts, _) in table.items() if ts < cutoff]:
                del table[key]

    def log_sent(self, kind: str, items: list[str] | None = None, frame: str | bytes | None = None) -> None:
        """One line per frame: the list's items, or a frame of its own (binary as latin-1)."""
        if self.sent_log is None:
            return
        entry: dict[str, object] = {"t": time.time(), "kind": kind}
        if frame is None:
            entry["items"] = items
        elif isinstance(frame, bytes):
            entry["binary"] = frame.decode("latin-1")
        else:
            entry["frame"] = frame
        self.sent_log.write(json.dumps(entry) + "\n")
        self.sent_log.flush()

    def inject_frame(self, msg_type: str, body: bytes, binary: bool) -> None:
        """`body` sent as it is, as a frame of its own, to the streams of msg_type."""
        self.generated["malformed"] += 1
        item: str | bytes = BinaryFrame(body) if binary else FrameOfItsOwn(body.decode())
        for k, _, queue in self.subscribers:
            if k == msg_type:
                queue.put_nowait(item)

    def inject(self, msg_type: str, kind: str | None = None, raw: str | None = None) -> None:
        """A malformed message into the streams and snapshots; text that is not JSON (bad_json
        or a raw body) goes to the streams only, as a frame of its own: inside a list it would
        break the whole frame or answer."""
        kind = kind or ("raw" if raw is not None else "bad_json")
        text = raw if raw is not None else malformed(kind, msg_type, self.world.t_ms, self.bad_rng)
        self.generated["malformed"] += 1
        try:
            json.loads(text)
        except ValueError:
            for k, _, queue in self.subscribers:
                if k == msg_type:
                    queue.put_nowait(FrameOfItsOwn(text))
            return
        self._publish(msg_type, f"injected-{self.generated['malformed']}", self.world.t_ms, text, "Simulator")

    async def _ticker(self) -> None:
        while True:
            self.advance()
            await asyncio.sleep(0.05)

    # -- HTTP ----------------------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while (h := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = h.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                url = urllib.parse.urlsplit(target)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path.startswith("/ws/") and headers.get("upgrade", "").lower() == "websocket":
                    await self._websocket(url.path, query, headers, reader, writer)
                    return
                status, ctype, payload = self._route(method, url.path, query, headers, body)
                writer.write(b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
                             % (status, _REASONS.get(status, "OK").encode(), ctype.encode(), len(payload)) + payload)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            return
        finally:
            writer.close()

    def _authorised(self, headers: dict[str, str]) -> bool:
        token = headers.get("authorization", "").removeprefix("Bearer ").strip()
        return self.tokens.get(token, 0) > time.monotonic()

    def _route(self, method: str, path: str, query: dict[str, str], headers: dict[str, str],
               body: bytes) -> tuple[int, str, bytes]:
        js = "application/json"
        if path.startswith("/sim/"):
            return self._control(method, path, query, body)
        if path == "/api/auth/client" and method == "POST":
            if self.auth_down_until > time.monotonic():
                return 401, js, b'{"error":"invalid_client"}'
            if not headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                return 400, js, b'{"error":"invalid_request","error_description":"form-encoded body expected"}'
            form = dict(urllib.parse.parse_qsl(body.decode()))
            if (form.get("client_id"), form.get("client_secret")) != (self.cfg.client_id, self.cfg.client_secret):
                return 401, js, b'{"error":"invalid_client"}'
            token = secrets.token_hex(16)
            self.tokens[token] = time.monotonic() + self.cfg.token_lifetime_s
            return 200, js, json.dumps({
                "access_token": token, "expires_in": self.cfg.token_lifetime_s, "refresh_token": secrets.token_hex(16),
                "refresh_expires_in": self.cfg.token_lifetime_s * 2, "token_type": "bearer"}).encode()
        if method != "GET":
            return 405, js, b'{"error":"method not allowed"}'
        if self.auth_down_until > time.monotonic():
            self.tokens.clear()
            return 401, js, b'{"error":"unauthorized"}'
        if not self._authorised(headers):
            return 401, js, b'{"error":"unauthorized"}'
        self.advance()
        if path in ("/api/bsm/current", "/api/psm/current"):
            table = self.latest[path.split("/")[2]]
            return 200, js, ("[" + ",".join(text for _, text in table.values()) + "]").encode()
        if path in ("/api/bsm/key", "/api/psm/key"):
            key = secrets.token_urlsafe(12)
            self.keys[key] = (path.split("/")[2], time.monotonic() + 10)
            return 200, "text/plain", key.encode()
        if path == "/api/mapdata/decoded":
            return 200, js, json.dumps(self.world.mapdata()).encode()
        if m := re.fullmatch(r"/api/mapdata/(\d+)/decoded", path):
            found = [d for d in self.world.mapdata() if d["intersections"][0]["id"]["id"] == int(m[1])]  # type: ignore[index]
            return (200, js, json.dumps(found).encode()) if found else (404, js, b'{"error":"not found"}')
        if path == "/api/spat":
            return 200, js, json.dumps(self.world.spat()).encode()
        return 404, js, b'{"error":"not found"}'

    def _control(self, method: str, path: str, query: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        if path == "/sim/stats":
            return 200, "application/json", json.dumps({**self.generated, "sim_ms": self.world.t_ms}).encode()
        if path == "/sim/inject" and method == "POST" and query.get("frame"):
            self.inject_frame(query.get("type", "bsm"), body, binary=query.get("binary") == "1")
            return 200, "application/json", b"{}"
        if path == "/sim/auth-outage" and method == "POST":  # auth and API answer 401 for a while
            self.auth_down_until = time.monotonic() + float(query.get("seconds", "15"))
            self.tokens.clear()
            return 200, "application/json", b"{}"
        if path == "/sim/inject" and method == "POST":
            self.inject(query.get("type", "bsm"), query.get("kind"), body.decode() if body else None)
            return 200, "application/json", b"{}"
        if path == "/sim/revoke-tokens" and method == "POST":  # the next call gets a 401
            self.tokens.clear()
            return 200, "application/json", b"{}"
        if path == "/sim/drop-streams" and method == "POST":
            for _, _, queue in self.subscribers:
                queue.put_nowait(None)
            return 200, "application/json", b"{}"
        return 404, "application/json", b'{"error":"not found"}'

    # -- WebSocket -----------------------------------------------------------------------
    async def _websocket(self, path: str, query: dict[str, str], headers: dict[str, str],
                         reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        kind = path.removeprefix("/ws/")
        key = self.keys.pop(query.get("key", ""), None)  # one-time
        if kind not in ("bsm", "psm") or key is None or key[0] != kind or key[1] < time.monotonic():
            writer.write(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
            return
        accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + WS_GUID).encode()).digest())
        writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
        queue: asyncio.Queue[str | bytes | None] = asyncio.Queue()  # a FrameOfItsOwn is a str too
        sub = (kind, re.compile(query["rsu"]) if query.get("rsu") else None, queue)
        self.subscribers.append(sub)
        closed = asyncio.Event()
        reading = asyncio.create_task(self._ws_reader(reader, writer, closed))
        try:
            while not closed.is_set():
                await asyncio.sleep(FRAME_S)
                self.advance()
                texts: list[str] = []
                while not queue.empty():
                    item = queue.get_nowait()
                    if item is None:
                        writer.write(_frame(0x8, struct.pack("!H", 1001)))
                        await writer.drain()
                        return
                    if isinstance(item, BinaryFrame):
                        writer.write(_frame(0x2, item))
                        self.log_sent(kind, frame=item)
                    elif isinstance(item, FrameOfItsOwn):
                        writer.write(_frame(0x1, item.encode()))
                        self.log_sent(kind, frame=str(item))
                    else:
                        texts.append(str(item))
                writer.write(_frame(0x1, ("[" + ",".join(texts) + "]").encode()))  # [] is the keep-alive
                if texts:
                    self.log_sent(kind, texts)
                await writer.drain()
        finally:
            self.subscribers.remove(sub)
            reading.cancel()

    async def _ws_reader(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, closed: asyncio.Event) -> None:
        try:
            while True:
                head = await reader.readexactly(2)
                opcode, length = head[0] & 0x0F, head[1] & 0x7F
                if length == 126:
                    length = struct.unpack("!H", await reader.readexactly(2))[0]
                elif length == 127:
                    length = struct.unpack("!Q", await reader.readexactly(8))[0]
                mask = await reader.readexactly(4) if head[1] & 0x80 else b"\0\0\0\0"
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(await reader.readexactly(length)))
                if opcode == 0x8:
                    writer.write(_frame(0x8, data[:2]))
                    break
                if opcode == 0x9:
                    writer.write(_frame(0xA, data))
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        closed.set()

    async def serve(self) -> None:
        self.server = await asyncio.start_server(self._handle, self.cfg.host, self.cfg.port)
        port = self.server.sockets[0].getsockname()[1]
        log.info("simulator listening", extra={"fields": {
            "url": f"http://{self.cfg.host}:{port}", "seed": self.cfg.seed, "accel": self.cfg.accel,
            "intersections": [ix.id for ix in self.cfg.intersections], "start_ms": self.start_ms,
            "profile": self.cfg.profile, "characters": {s.ix.id: s.character.kind for s in self.world.sites}}})
        ticker = asyncio.create_task(self._ticker())
        try:
            async with self.server:
                await self.server.serve_forever()
        finally:
            ticker.cancel()


def _frame(opcode: int, payload: bytes) -> bytes:
    n = len(payload)
    head = bytes([0x80 | opcode]) + (bytes([n]) if n < 126 else b"\x7e" + struct.pack("!H", n) if n < 65536
                                     else b"\x7f" + struct.pack("!Q", n))
    return head + payload


_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed"}
