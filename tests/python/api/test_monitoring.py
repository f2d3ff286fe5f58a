"""Monitoring (issue 18): the alert rules' promtool unit tests, and a live Prometheus with the real
exporters (postgres exporter as tsdb_monitor on the test database, nginx exporter on the project's
nginx, node exporter), Alertmanager and a real collector (on the simulator, serving /metrics),
scraping every second: targets up, the metrics present and equal to what the database says, and a
stopped collector's and a stopped exporter's alerts firing once their `for:` has passed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest
from api_fixtures import _free_port, _start_nginx
from collector_fixtures import COLLECTOR, collector_env

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "monitoring" / "rules"


def test_alert_rules_pass_their_promtool_unit_tests() -> None:
    run = subprocess.run(["promtool", "test", "rules", "tsdb.rules.test.yml"], cwd=RULES, capture_output=True, text=True)
    assert run.returncode == 0 and "SUCCESS" in run.stdout, run.stdout + run.stderr


def test_every_alert_has_a_unit_test() -> None:
    alerts = set(re.findall(r"^\s+- alert: (\w+)", (RULES / "tsdb.rules.yml").read_text(), re.M))
    tested = set(re.findall(r"alertname: (\w+)", (RULES / "tsdb.rules.test.yml").read_text()))
    assert alerts and alerts <= tested, f"alerts without a promtool test: {sorted(alerts - tested)}"


@dataclass
class Stack:
    prometheus: str
    alertmanager: str
    proxy: str
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def query(self, promql: str) -> list[dict[str, object]]:
        body = httpx.get(f"{self.prometheus}/api/v1/query", params={"query": promql}, timeout=5).json()
        assert body["status"] == "success", body
        return list(body["data"]["result"])

    def value(self, promql: str) -> float:
        result = self.query(promql)
        assert len(result) == 1, f"{promql}: {result}"
        return float(result[0]["value"][1])  # type: ignore[index]


def _wait(what: str, check: Callable[[], bool], seconds: float) -> float:
    """Polls check() until it holds; returns the seconds it took."""
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < seconds, f"{what}: not within {seconds} s"
        time.sleep(0.5)
    return time.monotonic() - start


@pytest.fixture(scope="module")
def stack(test_db: str, postgrest: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    d = tmp_path_factory.mktemp("monitoring")
    ports = {name: _free_port() for name in ("PROMETHEUS", "PG_EXPORTER", "NGINX_EXPORTER", "NODE_EXPORTER", "MTAIL",
                                               "ALERTMANAGER", "COLLECTOR_METRICS")}
    env = {**os.environ, **{f"TSDB_{k}_PORT": str(v) for k, v in ports.items()},
           "TSDB_PROMETHEUS_INTERVAL": "1s", "TSDB_PROMETHEUS_TIMEOUT": "1s"}
    subprocess.run(["bash", str(ROOT / "db" / "scripts" / "monitoring.sh"), "render", str(d)], env=env, check=True)
    nginx, proxy_url = _start_nginx(postgrest, d / "nginx")
    (d / "nginx" / "nginx-timing.log").touch()
    (d / "textfile").mkdir()
    (d / "alertmanager").mkdir()
    dsn = f"postgresql://tsdb_monitor@/{test_db}?host={os.environ['PGHOST']}&port={os.environ['PGPORT']}&sslmode=disable"
    commands = {
        "postgres-exporter": ["prometheus-postgres-exporter", f"--extend.query-path={ROOT}/monitoring/queries.yaml",
                              f"--web.listen-address=127.0.0.1:{ports['PG_EXPORTER']}"],
        "nginx-exporter": ["prometheus-nginx-exporter", f"-nginx.scrape-uri=unix:{d}/nginx/status.sock:/stub_status",
                           f"-web.listen-address=127.0.0.1:{ports['NGINX_EXPORTER']}"],
        "node-exporter": ["prometheus-node-exporter", f"--web.listen-address=127.0.0.1:{ports['NODE_EXPORTER']}",
                          "--collector.disable-defaults", "--collector.filesystem", "--collector.textfile",
                          f"--collector.textfile.directory={d}/textfile"],
        "mtail": ["mtail", "-progs", f"{ROOT}/monitoring/mtail", "-logs", f"{d}/nginx/nginx-timing.log",
                  "-address", "127.0.0.1", "-port", str(ports["MTAIL"]), "-logtostderr"],
        "alertmanager": ["prometheus-alertmanager", f"--config.file={ROOT}/monitoring/alertmanager.yml",
                         f"--storage.path={d}/alertmanager", f"--web.listen-address=127.0.0.1:{ports['ALERTMANAGER']}",
                         "--cluster.listen-address="],
        "prometheus": ["prometheus", f"--config.file={d}/prometheus.yml", f"--storage.tsdb.path={d}/data",
                       f"--web.listen-address=127.0.0.1:{ports['PROMETHEUS']}"],
    }
    sim_port = _free_port()
    sim_url = f"http://127.0.0.1:{sim_port}"
    commands["simulator"] = [*COLLECTOR, "simulate", "--port", str(sim_port), "--profile", "flat"]
    commands["collector"] = [*COLLECTOR, "run"]
    envs = {"collector": {**collector_env(test_db, None, d, VCC_BASE_URL=sim_url, COLLECTOR_DRAIN_S="2",
                                          TSDB_COLLECTOR_METRICS_PORT=str(ports["COLLECTOR_METRICS"]))}}
    s = Stack(f"http://127.0.0.1:{ports['PROMETHEUS']}", f"http://127.0.0.1:{ports['ALERTMANAGER']}", proxy_url)
    try:
        for name, cmd in commands.items():
            s.procs[name] = subprocess.Popen(cmd, env=envs.get(name, {**os.environ, "DATA_SOURCE_NAME": dsn}), cwd=ROOT,
                                             stdout=subprocess.DEVNULL, stderr=(d / f"{name}.log").open("wb"))

        def ready() -> bool:
            try:
                return httpx.get(f"{s.prometheus}/-/ready", timeout=1).status_code == 200
            except httpx.TransportError:
                return False
        _wait("Prometheus ready", ready, 30)
        yield s
    finally:
        for proc in s.procs.values():
            proc.terminate()
            proc.wait(timeout=15)
        nginx.terminate()
        nginx.wait(timeout=10)


def _health(s: Stack) -> dict[str, str]:
    targets = httpx.get(f"{s.prometheus}/api/v1/targets", timeout=5).json()["data"]["activeTargets"]
    return {t["labels"]["job"]: t["health"] for t in targets}


def test_every_target_is_up(stack: Stack) -> None:
    want = {"prometheus": "up", "postgres": "up", "nginx": "up", "api": "up", "node": "up", "alertmanager": "up",
            "collector": "up"}
    _wait(f"targets {want}", lambda: _health(stack) == want, 30)


def test_the_collectors_metrics_count_what_it_lands(stack: Stack) -> None:
    """The collector's /metrics, scraped: it receives the simulator's messages and lands them."""
    landed = 'sum(tsdb_collector_landed_messages_total{msg_type="bsm"})'
    _wait("the collector lands BSMs", lambda: bool(stack.query(landed + " > 0")), 60)
    assert stack.value("tsdb_collector_up") == 1
    assert stack.value('sum(tsdb_collector_received_messages_total{msg_type="bsm"})') >= stack.value(landed)
    assert stack.value('sum(tsdb_collector_archive_uploads_total{result="ok"})') > 0
    assert stack.value("tsdb_collector_token_refreshes_total") >= 1


def test_key_metrics_are_present(stack: Stack) -> None:
    names = ["pg_up", "tsdb_engine_pending_minutes", "tsdb_engine_processing_lag_seconds", "tsdb_landing_batches_5m",
             'tsdb_cron_job_active{jobname="tsi-process"}', 'tsdb_partitions_days_ahead{parent="tsi.bsm_messages"}',
             'tsdb_table_table_bytes{schema="tsi", table_name="bsm_messages"}', "tsdb_database_cache_hit_ratio",
             "tsdb_database_index_hit_ratio", 'tsdb_connections_connections{role="tsdb_monitor"}',
             "tsdb_business_intersections_tracked", 'tsdb_risk_band_intersections{risk_band="none"}',
             "nginx_up", "nginx_connections_accepted", "node_filesystem_avail_bytes"]
    missing = names
    def present() -> bool:
        nonlocal missing
        missing = [n for n in missing if not stack.query(n)]
        return not missing
    try:
        _wait("metrics present", present, 20)
    except AssertionError as e:
        raise AssertionError(f"missing: {missing}") from e
    assert stack.value("pg_up") == 1 and stack.value("nginx_up") == 1
    assert stack.value('sum(tsdb_partitions_days_ahead{parent="tsi.bsm_messages"})') >= 7
    assert 0 < stack.value("tsdb_database_cache_hit_ratio") <= 1


def test_api_requests_through_nginx_are_counted_and_timed(stack: Stack) -> None:
    for _ in range(5):
        assert httpx.get(f"{stack.proxy}/api/latest_indices?limit=1", timeout=5).status_code == 200
    assert httpx.get(f"{stack.proxy}/api/no_such_view", timeout=5).status_code == 404
    ok = 'sum(tsdb_api_requests_total{endpoint="/api/latest_indices", status="200"})'
    _wait("5 requests counted", lambda: bool(stack.query(ok + " >= 5")), 20)
    _wait("the 404 counted", lambda: bool(stack.query('tsdb_api_requests_total{endpoint="/api/no_such_view", status="404"}')), 10)
    assert stack.value('sum(tsdb_api_request_seconds_count{endpoint="/api/latest_indices"})') >= 5
    assert stack.value('sum(tsdb_api_request_seconds_bucket{endpoint="/api/latest_indices", le="5"})') >= 5


def test_metrics_say_what_the_database_says(stack: Stack, connect: Callable[..., psycopg.Connection]) -> None:
    """A row in a DEFAULT partition shows in its metric and fires its alert (no `for:`) at once."""
    with connect(autocommit=True) as conn:
        conn.execute("INSERT INTO tsi.intersections (id, name, latitude, longitude) VALUES (65431, 'monitoring test', 38.9, -77.2)")
        try:
            conn.execute("""INSERT INTO tsi.features_minute (intersection_id, minute, bsm_count, psm_count, traffic_volume, vru_count,
                                speed_n, speed_sum, speed_sum_sq, hard_braking_count, vru_event_count, vehicle_event_count)
                            VALUES (65431, '2001-01-01', 1, 0, 1, 0, 0, 0, 0, 0, 0, 0)""")
            tracked = conn.execute("SELECT count(*) FROM tsi.intersections").fetchone()[0]  # type: ignore[index]
            _wait("intersections tracked", lambda: stack.value("tsdb_business_intersections_tracked") == tracked, 40)
            _wait("default rows", lambda: stack.value('tsdb_partitions_default_rows{parent="tsi.features_minute"}') == 1, 10)
            _wait("TsdbDefaultPartitionRows firing", lambda: bool(stack.query(
                'ALERTS{alertname="TsdbDefaultPartitionRows", alertstate="firing", parent="tsi.features_minute"}')), 10)
        finally:
            conn.execute("DELETE FROM tsi.intersections WHERE id = 65431")  # cascades to its features
    _wait("TsdbDefaultPartitionRows resolved", lambda: not stack.query('ALERTS{alertname="TsdbDefaultPartitionRows"}'), 10)


def test_every_dashboard_query_evaluates(stack: Stack) -> None:
    """Grafana's dashboards (monitoring/grafana/dashboards) ask this Prometheus nothing it rejects."""
    exprs = [t["expr"] for f in (ROOT / "monitoring" / "grafana" / "dashboards").glob("*.json")
             for p in json.loads(f.read_text())["panels"] for t in p.get("targets", [])]
    assert len(exprs) > 20
    for expr in exprs:
        stack.query(expr)


def test_a_stopped_collector_and_exporter_fire_their_alerts_after_their_for_and_reach_alertmanager(stack: Stack) -> None:
    """Last of the module: it stops the collector and the postgres exporter at once.
    TsdbCollectorDown and TsdbTargetDown have `for: 1m`."""
    _wait("collector and postgres up", lambda: _health(stack).get("postgres") == _health(stack).get("collector") == "up", 10)
    for name in ("collector", "postgres-exporter"):
        stack.procs[name].terminate()
    for name in ("collector", "postgres-exporter"):
        stack.procs[name].wait(timeout=30)
    # A scrape may already fail while the processes stop, so "stopped" can be a second or two late.
    stopped = time.monotonic()
    alerts = {"TsdbCollectorDown": 'ALERTS{alertname="TsdbCollectorDown", job="collector"',
              "TsdbTargetDown": 'ALERTS{alertname="TsdbTargetDown", job="postgres"'}
    for name, alert in alerts.items():
        _wait(f"{name} pending", lambda a=alert: bool(stack.query(a + ', alertstate="pending"}')), 10)
        assert not stack.query(alert + ', alertstate="firing"}'), f"{name} fired before its for:"
    for name, alert in alerts.items():
        _wait(f"{name} firing", lambda a=alert: bool(stack.query(a + ', alertstate="firing"}')), 80)
        took = time.monotonic() - stopped
        assert 58 <= took <= 70, f"{name} fired {took:.0f} s after the target stopped (for: 1m, scrape and evaluation every 1 s)"

    def in_alertmanager() -> bool:
        found = {a["labels"].get("alertname") for a in httpx.get(f"{stack.alertmanager}/api/v2/alerts", timeout=5).json()}
        return set(alerts) <= found
    _wait("both alerts in Alertmanager", in_alertmanager, 15)
