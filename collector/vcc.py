"""Client of the VCC Public API v3.1 (tsi-domain.md §1): OAuth2 client-credentials token
(form-encoded), refreshed before expiry and re-requested once on a 401; refusals after the
credentials have worked are retried for `auth_retry_s` (VccAuthRetry), refusals from the start
are final (VccAuthError); REST calls paced >= 100 ms apart with timeouts and retries with backoff;
BSM/PSM WebSocket streams with a fresh one-time key per connection and automatic reconnection.

Every message comes out as `Message(msg_type, received_at, raw)`: `raw` is the message's own
JSON text exactly as received (for SPaT the string the API returned, parsed again by the
database). Text that does not parse still becomes messages (see split_messages), so the database
quarantines it and nothing is lost.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
import time
import urllib.parse
from collections.abc import AsyncIterator

import httpx
import websockets

from collector import metrics
from collector.logs import fields
from collector.messages import Message

log = logging.getLogger("collector.vcc")


class VccAuthError(Exception):
    """The credentials were refused: retrying will not help."""


class VccAuthRetry(httpx.HTTPError):
    """VCC refused a token or credentials that it accepted before: retried with backoff (callers
    treat it as any transient HTTP failure) until the refusals outlast the retry period."""


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


MAX_MESSAGE_CHARS = 1_000_000  # a message longer than this is kept as its head and length
_DECODER = json.JSONDecoder()
_SEP = re.compile(r"[ \t\n\r]*(,?)[ \t\n\r]*")
# A string, or a character that opens or closes a value or separates two: what the fallback
# scanner needs to find where an element ends without parsing it.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{},]')


def oversized(text: str) -> str:
    """What the quarantine keeps of a message too large to keep whole: its head and length."""
    return f"[collector: message of {len(text)} characters, kept its first 1000] {text[:1000]}"


def _element_end(body: str, start: int) -> int:
    """Where the list element at `start` ends (its closing bracket or the comma after it),
    found by matching brackets outside strings: no parsing, so no nesting or number limit."""
    depth = 0
    for tok in _TOKEN.finditer(body, start):
        c = tok.group()
        if c in "[{":
            depth += 1
        elif c in "]}":
            if depth == 0:
                return tok.start()
            depth -= 1
        elif c == "," and depth == 0:
            return tok.start()
    return len(body)


def split_messages(msg_type: str, body: str, received_at: dt.datetime,
                   max_chars: int = MAX_MESSAGE_CHARS) -> list[Message]:
    """A JSON list answer (REST or a stream frame) as one Message per element, each element's
    text exactly as received (1e-20000 stays 1e-20000; a JSON string element, SPaT's form, is
    the string itself). An element that does not parse (broken, nested too deep, a number beyond
    Python's limits) is still cut out by bracket matching and becomes a message of its own, for
    the database to land or quarantine; a body that is no list is one message. Never raises."""
    def message(text: str, broken: bool = False) -> Message:
        if len(text) > max_chars:
            metrics.MALFORMED.labels("too_large").inc()
            return Message(msg_type, received_at, oversized(text))
        if broken:
            metrics.MALFORMED.labels("unparsable").inc()
        return Message(msg_type, received_at, text)

    stripped = body.strip()
    if not stripped.startswith("[") or not stripped.endswith("]"):
        return [message(body, True)]
    out: list[Message] = []
    i = body.index("[") + 1
    end = body.rindex("]")
    i = _SEP.match(body, i).end()  # type: ignore[union-attr]
    while i < end:
        try:
            item, j = _DECODER.raw_decode(body, i)
            if j > end:
                raise ValueError("element runs past the list")
            # a string element is SPaT's document; one that cannot be UTF-8 (a lone surrogate) stays JSON
            text = item if isinstance(item, str) and item.isascii() or _utf8(item) else body[i:j]
            broken = False
        except (ValueError, RecursionError):
            j = min(_element_end(body, i), end)
            text, broken = body[i:j], True
        out.append(message(text, broken))
        sep = _SEP.match(body, j)
        assert sep is not None
        if not sep.group(1) and sep.end() < end:  # two values without a comma: cut at the next one
            j2 = min(_element_end(body, sep.end()), end)
            out.append(message(body[sep.end():j2], True))
            sep = _SEP.match(body, j2)
            assert sep is not None
        i = sep.end()
    return out


def _utf8(item: object) -> bool:
    if not isinstance(item, str):
        return False
    try:
        item.encode()
        return True
    except UnicodeEncodeError:
        return False


def decode_frame(frame: str | bytes) -> str:
    """A WebSocket frame as text; a binary frame that is not UTF-8 keeps its bytes as \\x escapes
    (the quarantine then shows what arrived)."""
    if isinstance(frame, str):
        return frame
    try:
        return frame.decode()
    except UnicodeDecodeError:
        metrics.MALFORMED.labels("not_utf8").inc()
        return frame.decode("utf-8", "backslashreplace")


class VccClient:
    def __init__(self, base_url: str, client_id: str, client_secret: str, *, ws_url: str | None = None,
                 rsu: str | None = None, min_interval_s: float = 0.1, timeout_s: float = 15.0, retries: int = 4,
                 auth_retry_s: float = 300.0, max_message_chars: int = MAX_MESSAGE_CHARS):
        self.base_url = base_url.rstrip("/")
        self.ws_url = (ws_url or self.base_url.replace("https://", "wss://", 1).replace("http://", "ws://", 1)).rstrip("/")
        self._id, self._secret = client_id, client_secret
        self.rsu = rsu
        self.min_interval_s, self.retries = min_interval_s, retries
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout_s, follow_redirects=False)
        self._token: str | None = None
        self._expires = 0.0
        self._last_call = 0.0
        self._pace = asyncio.Lock()
        self.authentications = 0
        self.auth_failures = 0
        self.auth_retry_s = auth_retry_s
        self.max_message_chars = max_message_chars
        self._refused_since: float | None = None  # first refusal of a run of them, after a success

    async def aclose(self) -> None:
        await self.http.aclose()

    def _refused(self, what: str) -> Exception:
        """The error for a refusal: fatal when the credentials never worked or refusals have
        lasted longer than the retry period, else one to retry (an outage of VCC's auth)."""
        self.auth_failures += 1
        metrics.AUTH_FAILURES.inc()
        now = time.monotonic()
        if self.authentications == 0:
            return VccAuthError(f"VCC refused the client credentials ({what})")
        self._refused_since = self._refused_since or now
        if now - self._refused_since > self.auth_retry_s:
            return VccAuthError(f"VCC has refused authentication for {now - self._refused_since:.0f} s ({what})")
        return VccAuthRetry(f"VCC refused authentication ({what}); retrying for up to {self.auth_retry_s:g} s")

    async def _authenticate(self) -> None:
        resp = await self.http.post("/api/auth/client", data={"client_id": self._id, "client_secret": self._secret})
        if resp.status_code in (400, 401, 403):
            raise self._refused(f"HTTP {resp.status_code}")
        resp.raise_for_status()
        body = resp.json()
        lifetime = float(body["expires_in"])
        self._token = body["access_token"]
        # Refresh a few minutes early (a tenth of a short lifetime).
        self._expires = time.monotonic() + lifetime - min(300.0, lifetime / 10)
        self.authentications += 1
        metrics.TOKEN_REFRESHES.inc()
        log.info("authenticated", extra=fields(expires_in=lifetime))

    async def _bearer(self) -> dict[str, str]:
        if self._token is None or time.monotonic() >= self._expires:
            await self._authenticate()
        return {"Authorization": f"Bearer {self._token}"}

    async def get(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        """GET with pacing, one re-authentication on 401 (a second 401 is a refusal: see
        _refused), retries with backoff on transport errors, 429 and 5xx; other statuses are
        returned to the caller."""
        reauthenticated = False
        attempt = 0
        while True:
            async with self._pace:
                wait = self._last_call + self.min_interval_s - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._last_call = time.monotonic()
            try:
                resp = await self.http.get(path, params=params, headers=await self._bearer())
            except httpx.TransportError as exc:
                resp, error = None, str(exc) or type(exc).__name__
            else:
                error = f"HTTP {resp.status_code}"
                if resp.status_code == 401 and not reauthenticated:
                    reauthenticated = True
                    self._token = None
                    continue
                if resp.status_code == 401:
                    self._token = None
                    raise self._refused(f"HTTP 401 to {path} right after authenticating")
                if resp.status_code != 429 and resp.status_code < 500:
                    self._refused_since = None
                    return resp
            attempt += 1
            if attempt > self.retries:
                if resp is not None:
                    resp.raise_for_status()
                raise httpx.TransportError(f"{path}: {error} after {attempt} attempts")
            delay = min(30.0, 0.5 * 2 ** (attempt - 1))
            log.warning("vcc call failed, retrying", extra=fields(path=path, error=error, retry_in_s=delay))
            await asyncio.sleep(delay)

    async def _list(self, msg_type: str, path: str, params: dict[str, str] | None = None) -> list[Message]:
        resp = await self.get(path, params)
        resp.raise_for_status()
        return split_messages(msg_type, resp.text, now_utc(), self.max_message_chars)

    async def bsm_current(self) -> list[Message]:
        return await self._list("bsm", "/api/bsm/current")

    async def psm_current(self) -> list[Message]:
        return await self._list("psm", "/api/psm/current")

    async def mapdata(self, intersection_id: int | None = None) -> list[Message]:
        """Decoded MapData; an unknown id raises httpx.HTTPStatusError (404)."""
        path = "/api/mapdata/decoded" if intersection_id is None else f"/api/mapdata/{intersection_id}/decoded"
        return await self._list("mapdata", path)

    async def spat(self) -> list[Message]:
        return await self._list("spat", "/api/spat", {"format": "JSON"})

    async def stream_key(self, kind: str) -> str:
        resp = await self.get(f"/api/{kind}/key")
        resp.raise_for_status()
        return resp.text.strip()

    async def stream(self, kind: str, stop: asyncio.Event) -> AsyncIterator[list[Message]]:
        """Frames of /ws/{kind} until `stop` is set, reconnecting with backoff (a new key each
        time); an empty list is the server's keep-alive."""
        failures = 0
        while not stop.is_set():
            try:
                params = {"key": await self.stream_key(kind)}
                if self.rsu:
                    params["rsu"] = self.rsu
                url = f"{self.ws_url}/ws/{kind}?{urllib.parse.urlencode(params)}"
                async with websockets.connect(url, open_timeout=15, max_size=None, close_timeout=2) as ws:
                    log.info("stream connected", extra=fields(kind=kind))
                    failures = 0
                    while not stop.is_set():
                        try:
                            frame = await asyncio.wait_for(ws.recv(), timeout=1.0)
                        except TimeoutError:
                            continue
                        yield split_messages(kind, decode_frame(frame), now_utc(), self.max_message_chars)
            except VccAuthError:
                raise
            except (OSError, httpx.HTTPError, websockets.WebSocketException, TimeoutError) as exc:
                failures += 1
                delay = min(10.0, 0.5 * 2 ** min(failures - 1, 6))
                metrics.STREAM_RECONNECTS.labels(kind).inc()
                log.warning("stream lost, reconnecting", extra=fields(kind=kind, error=str(exc) or type(exc).__name__,
                                                                      retry_in_s=delay))
                try:
                    await asyncio.wait_for(stop.wait(), timeout=delay)
                except TimeoutError:
                    pass
