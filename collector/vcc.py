"""Client of the VCC Public API v3.1 (tsi-domain.md §1): OAuth2 client-credentials token
(form-encoded), refreshed before expiry and re-requested once on a 401; REST calls paced
>= 100 ms apart with timeouts and retries with backoff; BSM/PSM WebSocket streams with a fresh
one-time key per connection and automatic reconnection.

Every message comes out as `Message(msg_type, received_at, raw)`: `raw` is the message's own
JSON text (for SPaT the string the API returned, parsed again by the database). A body that is
not JSON becomes one message holding that text, so the database quarantines it and nothing is lost.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
import urllib.parse
from collections.abc import AsyncIterator

import httpx
import websockets

from collector.logs import fields
from collector.messages import Message

log = logging.getLogger("collector.vcc")


class VccAuthError(Exception):
    """The credentials were refused: retrying will not help."""


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def split_messages(msg_type: str, body: str, received_at: dt.datetime) -> list[Message]:
    """A JSON list answer (REST or a stream frame) as one Message per element."""
    try:
        items = json.loads(body)
    except ValueError:
        return [Message(msg_type, received_at, body)]
    if not isinstance(items, list):
        return [Message(msg_type, received_at, body)]
    return [Message(msg_type, received_at, item if isinstance(item, str) else json.dumps(item)) for item in items]


class VccClient:
    def __init__(self, base_url: str, client_id: str, client_secret: str, *, ws_url: str | None = None,
                 rsu: str | None = None, min_interval_s: float = 0.1, timeout_s: float = 15.0, retries: int = 4):
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

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _authenticate(self) -> None:
        resp = await self.http.post("/api/auth/client", data={"client_id": self._id, "client_secret": self._secret})
        if resp.status_code in (400, 401, 403):
            raise VccAuthError(f"VCC refused the client credentials (HTTP {resp.status_code})")
        resp.raise_for_status()
        body = resp.json()
        lifetime = float(body["expires_in"])
        self._token = body["access_token"]
        # Refresh a few minutes early (a tenth of a short lifetime).
        self._expires = time.monotonic() + lifetime - min(300.0, lifetime / 10)
        self.authentications += 1
        log.info("authenticated", extra=fields(expires_in=lifetime))

    async def _bearer(self) -> dict[str, str]:
        if self._token is None or time.monotonic() >= self._expires:
            await self._authenticate()
        return {"Authorization": f"Bearer {self._token}"}

    async def get(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        """GET with pacing, one re-authentication on 401, retries with backoff on transport
        errors, 429 and 5xx; other statuses are returned to the caller."""
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
                    raise VccAuthError(f"VCC answered 401 to {path} right after authenticating")
                if resp.status_code != 429 and resp.status_code < 500:
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
        return split_messages(msg_type, resp.text, now_utc())

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
                        yield split_messages(kind, frame if isinstance(frame, str) else frame.decode(), now_utc())
            except VccAuthError:
                raise
            except (OSError, httpx.HTTPError, websockets.WebSocketException, TimeoutError) as exc:
                failures += 1
                delay = min(30.0, 0.5 * 2 ** min(failures - 1, 6))
                log.warning("stream lost, reconnecting", extra=fields(kind=kind, error=str(exc) or type(exc).__name__,
                                                                      retry_in_s=delay))
                try:
                    await asyncio.wait_for(stop.wait(), timeout=delay)
                except TimeoutError:
                    pass
