"""The collector's own Prometheus metrics, served at /metrics on TSDB_COLLECTOR_METRICS_HOST:
TSDB_COLLECTOR_METRICS_PORT (default 127.0.0.1:9188; port 0 serves nothing). The README lists
them; alerts are written against these names, so renaming one is a breaking change."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, start_http_server

P = "tsdb_collector_"

RECEIVED = Counter(P + "received_messages", "Messages taken from VCC (streams and polls)", ["msg_type"])
MALFORMED = Counter(P + "malformed_messages",
                    "Messages the collector itself found broken and passed on for the quarantine "
                    "(each also counts in quarantined_messages once landed)", ["reason"])
SPOOLED = Counter(P + "spooled_batches", "Batches written to the spool (acknowledged)", ["msg_type"])
BUFFERED = Gauge(P + "buffered_messages", "Messages received but not yet in the spool")
DROPPED = Counter(P + "dropped_messages",
                  "Received messages dropped because the buffer was full while the spool could not be written")
SPOOL_ERRORS = Counter(P + "spool_write_errors", "Failed writes of a batch to the spool (the batch stays buffered)")
SPOOL_BATCHES = Gauge(P + "spool_batches", "Batches in the spool waiting for at least one sink")
SPOOL_OLDEST_AGE = Gauge(P + "spool_oldest_age_seconds", "Age of the oldest batch in the spool (0 when empty)")
REJECTED = Counter(P + "rejected_spool_entries",
                   "Spool entries moved to spool/rejected/ (unreadable, or failing for good)", ["sink", "reason"])
LANDED = Counter(P + "landed_messages", "Messages landed in the database's raw tables", ["msg_type"])
DUPLICATES = Counter(P + "duplicate_messages", "Messages the database already had", ["msg_type"])
QUARANTINED = Counter(P + "quarantined_messages", "Messages the database put in tsi.quarantine", ["msg_type"])
UNASSIGNED = Counter(P + "unassigned_messages", "Landed messages near no known intersection", ["msg_type"])
ARCHIVED = Counter(P + "archived_messages", "Messages written to the archive", ["msg_type"])
ARCHIVE_UPLOADS = Counter(P + "archive_uploads", "Batch files written to the archive (GCS or local)", ["result"])
WRITE_ERRORS = Counter(P + "sink_write_errors", "Failed writes of a batch to a sink", ["sink"])
WRITE_RETRIES = Counter(P + "sink_write_retries", "Writes of a batch retried after a failure", ["sink"])
SINK_FAILING = Gauge(P + "sink_failing_seconds", "How long a sink has been failing (0 when it works)", ["sink"])
STREAM_RECONNECTS = Counter(P + "stream_reconnects", "WebSocket stream reconnections", ["kind"])
SOURCE_ERRORS = Counter(P + "source_errors", "Failed polls and stream errors", ["source"])
LOOP_RESTARTS = Counter(P + "loop_restarts", "Source or flush loops restarted after an unexpected error", ["loop"])
TOKEN_REFRESHES = Counter(P + "token_refreshes", "Access tokens obtained from VCC")
AUTH_FAILURES = Counter(P + "auth_failures", "Refused authentications and 401s after re-authenticating")
UP = Gauge(P + "up", "1 while the collector runs")


def serve(host: str, port: int) -> None:
    if port:
        start_http_server(port, addr=host)
    UP.set(1)
