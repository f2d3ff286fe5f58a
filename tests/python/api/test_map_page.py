"""The map page nginx serves at / (db/web), driven in a real headless Chromium (Debian's chromium
package) through the DevTools protocol: the page loads, draws every intersection the API returns
with its risk band and latest index and the diary's segments, draws the history of the
intersection clicked, and none of its requests fails, nothing is logged as an error and no
script throws. Each step is bounded in time."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from websockets.sync.client import connect as ws_connect

from api_fixtures import ApiData, get

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SEGMENTS_BBOX = "-75.40,39.60,-75.38,39.61"      # apart from the other tests' segments
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make bootstrap installs it)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Page:
    """One Chromium tab over the DevTools protocol: commands, and every event kept."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, timeout: float = 15, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                return message["result"]
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def wait_for(self, expression: str, seconds: float = 20) -> Any:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.2)
        status = self.evaluate("document.getElementById('status').textContent")
        pytest.fail(f"timed out waiting for {expression}; status: {status}")

    def of(self, method: str) -> list[dict[str, Any]]:
        return [e["params"] for e in self.events if e["method"] == method]


@pytest.fixture()
def browser(tmp_path: Path) -> Iterator[Page]:
    port = _free_port()
    proc = subprocess.Popen(
        [str(CHROMIUM), "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
         "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile'}",
         f"--remote-debugging-port={port}", "--remote-debugging-address=127.0.0.1", "--window-size=1200,700", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=(tmp_path / "chromium.log").open("wb"))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                tabs = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=2).json()
                pages = [t for t in tabs if t.get("type") == "page"]
                if pages:
                    break
            except (httpx.TransportError, ValueError):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("chromium did not start: " + (tmp_path / "chromium.log").read_text()[-2000:])
            time.sleep(0.2)
        with ws_connect(pages[0]["webSocketDebuggerUrl"], max_size=None, open_timeout=10) as ws:
            page = Page(ws)
            for domain in ("Page", "Runtime", "Network", "Log"):
                page.send(f"{domain}.enable")
            yield page
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture()
def segments(connect: Callable[..., psycopg.Connection]) -> Iterator[list[str]]:
    prefix = "map-" + uuid.uuid4().hex[:8] + "-"
    with connect() as conn:
        conn.execute(
            """INSERT INTO diary.segments (segment_id, street, length_m, geometry)
               SELECT %s || i, 'Map St', 100,
                      ST_SetSRID(ST_MakeLine(ST_MakePoint(-75.395 + i * 0.001, 39.605),
                                             ST_MakePoint(-75.395 + (i + 1) * 0.001, 39.605)), 4326)
               FROM generate_series(0, 2) i""", (prefix,))
    yield [f"{prefix}{i}" for i in range(3)]
    with connect() as conn:
        conn.execute("DELETE FROM diary.segments WHERE segment_id LIKE %s", (prefix + "%",))


def test_map_page_is_served_with_its_files(proxy: str) -> None:
    page = get(proxy, "/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), page.text
    assert '<script src="map.js">' in page.text
    for path, kind in (("/", "text/html"), ("/map.js", "application/javascript"), ("/map.css", "text/css")):
        r = get(proxy, path)
        assert r.status_code == 200 and r.headers["content-type"].startswith(kind), (path, r.headers)
        assert "http://" not in r.text.replace("http://www.w3.org/2000/svg", "") and "https://" not in r.text, \
            f"{path} must not load anything from another server"
    assert get(proxy, "/other.js").json() == {"detail": "Not Found"}


def test_map_page_in_headless_chromium(proxy: str, api_data: ApiData, segments: list[str], browser: Page) -> None:
    latest = get(proxy, "/api/latest_indices?order=intersection_id").json()
    browser.send("Page.navigate", url=f"{proxy}/?segments_bbox={SEGMENTS_BBOX}")
    browser.wait_for("document.readyState === 'complete' && document.body.dataset.state")
    assert browser.evaluate("document.body.dataset.state") == "ready", browser.evaluate("document.getElementById('status').textContent")

    # Every intersection the API returns is drawn, with its band and its latest index.
    drawn = browser.evaluate("""[...document.querySelectorAll('#intersections-layer g.intersection')]
                                .map(g => [Number(g.dataset.id), g.dataset.band, g.querySelector('text').textContent])""")
    assert sorted(d[0] for d in drawn) == sorted(r["intersection_id"] for r in latest)
    by_id = {d[0]: d for d in drawn}
    for ix in api_data.intersections:
        row = next(r for r in latest if r["intersection_id"] == ix.id)
        assert row["safety_index"] is not None
        assert by_id[ix.id][1] == row["risk_band"]
        assert by_id[ix.id][2].endswith(f": {row['safety_index']:.1f}")
    assert by_id[api_data.silent.id][1] == "none" and by_id[api_data.silent.id][2].endswith(": –")

    # The diary's segments, second layer.
    assert sorted(browser.evaluate("[...document.querySelectorAll('#segments-layer path.segment')].map(p => p.dataset.id)")) == segments

    # Clicking an intersection draws its history.
    busy = api_data.intersections[0].id
    browser.evaluate(f"document.querySelector('g.intersection[data-id=\"{busy}\"]').dispatchEvent(new MouseEvent('click', {{bubbles: true}}))")
    points = int(browser.wait_for("document.getElementById('chart').getAttribute('data-points')"))
    assert points >= 1
    assert browser.evaluate("document.querySelector('#chart path.line') !== null")
    assert str(busy) in browser.evaluate("document.getElementById('details').textContent")

    # Every request of the page succeeded; no console error, no exception.
    browser.send("Runtime.evaluate", expression="1")   # collect the last events
    responses = [(r["response"]["url"], r["response"]["status"]) for r in browser.of("Network.responseReceived")]
    urls = [u for u, _ in responses]
    assert any("/api/latest_indices" in u for u in urls) and any("/api/rpc/segments" in u for u in urls) \
        and any("/api/rpc/intersection_history" in u for u in urls), urls
    assert all(u.startswith(proxy) for u in urls), urls
    assert all(status < 400 for _, status in responses), responses
    assert not browser.of("Network.loadingFailed"), browser.of("Network.loadingFailed")
    assert not browser.of("Runtime.exceptionThrown"), browser.of("Runtime.exceptionThrown")
    errors = [e for e in browser.of("Log.entryAdded") if e["entry"]["level"] == "error"]
    errors += [e for e in browser.of("Runtime.consoleAPICalled") if e["type"] == "error"]
    assert not errors, errors
