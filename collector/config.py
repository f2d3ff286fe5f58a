"""The collector's settings, read only from environment variables (documented in the README)."""

from __future__ import annotations

import os
from dataclasses import dataclass


class ConfigError(Exception):
    pass


def _num(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {raw!r}")
    return value


def _port(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit() or int(raw) > 65535:
        raise ConfigError(f"{name} must be a port number (0 disables), got {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class Settings:
    vcc_base_url: str
    vcc_ws_url: str | None
    vcc_client_id: str
    vcc_client_secret: str
    vcc_rsu_filter: str | None
    mode: str                  # stream | poll
    poll_interval_s: float
    mapdata_interval_s: float
    database_url: str
    process_database_url: str
    gcs_bucket: str | None
    archive_dir: str
    spool_dir: str
    batch_s: float
    batch_max: int
    drain_s: float
    buffer_max: int            # messages held in memory while the spool cannot be written
    retry_max_s: float         # longest wait between two attempts of a failing sink write
    sink_alert_s: float        # a sink failing this long is logged at error level
    reject_after: int          # failures of one batch (while later ones succeed) before it is set aside
    db_sessions: int
    max_message_chars: int
    auth_retry_s: float        # how long refused authentication is retried once it has worked
    metrics_host: str
    metrics_port: int

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get
        db = env("TSDB_DB", "trafficsafety")
        mode = env("VCC_MODE", "stream")
        if mode not in ("stream", "poll"):
            raise ConfigError(f"VCC_MODE must be stream or poll, got {mode!r}")
        return cls(
            vcc_base_url=env("VCC_BASE_URL", "https://vcc.vtti.vt.edu"),
            vcc_ws_url=env("VCC_WS_URL") or None,
            vcc_client_id=env("VCC_CLIENT_ID", ""),
            vcc_client_secret=env("VCC_CLIENT_SECRET", ""),
            vcc_rsu_filter=env("VCC_RSU_FILTER") or None,
            mode=mode,
            poll_interval_s=_num("VCC_POLL_INTERVAL_S", 60),
            mapdata_interval_s=_num("VCC_MAPDATA_INTERVAL_S", 600),
            # libpq fills host and port from PGHOST/PGPORT when the URL leaves them out
            database_url=env("TSDB_DATABASE_URL") or f"dbname={db} user=collector",
            process_database_url=env("TSDB_PROCESS_DATABASE_URL") or f"dbname={db} user=tsdb_owner",
            gcs_bucket=env("GCS_BUCKET") or None,
            archive_dir=env("COLLECTOR_ARCHIVE_DIR", "archive"),
            spool_dir=env("COLLECTOR_SPOOL_DIR", "spool"),
            batch_s=_num("COLLECTOR_BATCH_S", 5),
            batch_max=int(_num("COLLECTOR_BATCH_MAX", 20_000)),
            drain_s=_num("COLLECTOR_DRAIN_S", 6),
            buffer_max=int(_num("COLLECTOR_BUFFER_MAX", 200_000)),
            retry_max_s=_num("COLLECTOR_RETRY_MAX_S", 5),
            sink_alert_s=_num("COLLECTOR_SINK_ALERT_S", 60),
            reject_after=int(_num("COLLECTOR_REJECT_AFTER", 5)),
            db_sessions=int(_num("COLLECTOR_DB_SESSIONS", os.cpu_count() or 2)),
            max_message_chars=int(_num("COLLECTOR_MAX_MESSAGE_CHARS", 1_000_000)),
            auth_retry_s=_num("VCC_AUTH_RETRY_S", 300),
            metrics_host=env("TSDB_COLLECTOR_METRICS_HOST", "127.0.0.1"),
            metrics_port=_port("TSDB_COLLECTOR_METRICS_PORT", 9188),
        )

    def require_credentials(self) -> None:
        if not self.vcc_client_id or not self.vcc_client_secret:
            raise ConfigError("VCC_CLIENT_ID and VCC_CLIENT_SECRET must be set")
