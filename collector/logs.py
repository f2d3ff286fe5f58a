"""Structured logs: one JSON object per line on stderr (`event` plus fields)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "event": record.getMessage(),
        }
        out.update(getattr(record, "fields", {}))
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(out, default=str)


def setup() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(os.environ.get("COLLECTOR_LOG_LEVEL", "INFO").upper())
    for noisy in ("httpx", "httpcore", "websockets", "google", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def fields(**kw: object) -> dict[str, object]:
    """`log.info("event", extra=fields(a=1))`."""
    return {"fields": kw}
