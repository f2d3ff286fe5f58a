"""An OpenAPI-driven fuzz run (schemathesis) with PostgREST's own OpenAPI document, through the
project's nginx (the API's public entry): no request it generates, for any exposed view or
function, may get a 5xx. Bounded in time. (PostgREST 12.0.2 alone answers 500 to headers with
non-ASCII bytes and to query strings whose percent-escapes are not UTF-8; nginx answers those
with 400, see db/nginx/api.conf.template. Those requests, huge bodies, URIs and headers, and the
JSON of every error nginx answers itself: test_api_edge.py.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from api_fixtures import ApiData

MAX_SECONDS = int(os.environ.get("TSDB_FUZZ_SECONDS", "60"))


def test_schemathesis_finds_no_server_error(start_proxy: Callable[..., str], api_data: ApiData, tmp_path: Path) -> None:
    api = start_proxy(TSDB_PROXY_RATE="10000r/s", TSDB_PROXY_BURST="10000",
                      TSDB_PROXY_WRITE_RATE="10000r/s", TSDB_PROXY_WRITE_BURST="10000",
                      TSDB_PROXY_USER_RATE="10000r/s", TSDB_PROXY_USER_BURST="10000",
                      TSDB_PROXY_LOGIN_RATE="10000r/s", TSDB_PROXY_LOGIN_BURST="10000") + "/api"
    schemathesis = Path(sys.executable).with_name("schemathesis")
    run = subprocess.run(
        [str(schemathesis), "run", api + "/", "--url", api, "--checks", "not_a_server_error",
         "--max-examples", "15", "--max-time", str(MAX_SECONDS), "--seed", "6", "--request-timeout", "10",
         "--workers", "1", "--report", "junit", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=MAX_SECONDS + 120, env={**os.environ, "NO_COLOR": "1"},
        # One worker: with two threads, hypothesis's ast.parse met CPython 3.11's "AST constructor
        # recursion depth mismatch" (a runtime error of the tool, not of the API).
        cwd=tmp_path,  # schemathesis keeps a cache in its working directory
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    # e.g. "2854 generated, 2854 passed": every generated case was checked and passed
    counts = re.search(r"(\d+) generated, (\d+) passed", run.stdout)
    assert counts and int(counts[1]) > 100 and counts[1] == counts[2], run.stdout[-3000:]
