"""The operations listener: Prometheus series after a case walk (and no label carrying case
data), `/healthz`, and `/readyz` following a private PostgreSQL cluster that is stopped and
started again under the bot."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from adapters.ops.http import make_ops_app
from adapters.ops.metrics import PrometheusMetrics
from bot import metrics as m
from bot.app import command_handlers
from bot.cli_ops_listener import readiness_probes
from bot.health import run_checks, verdict
from bot.messages import ReplyKind
from bot.scheduling import planner
from storage.engine import make_engine
from storage.migrate import upgrade
from tests.conftest import IN_CI, Harness

SUMMARY = "Borger truer naboer med kniv"
OUTCOMES = {v for k, v in vars(m).items() if k.isupper() and isinstance(v, str)}
VERBS = {t.__name__ for t in command_handlers()} | {"none"}
KINDS = {planner.REMINDER, planner.ESCALATION, planner.FOLLOWUP, planner.FALLBACK} | {
    k.value for k in ReplyKind
}


def client_for(metrics: PrometheusMetrics, probes: dict[str, object]) -> TestClient:
    async def readiness() -> dict[str, object]:
        return verdict(await run_checks(probes))  # type: ignore[arg-type]

    return TestClient(TestServer(make_ops_app(metrics, readiness)))


async def test_a_scrape_after_a_walk_counts_commands_and_no_label_carries_case_data(
    harness: Harness,
) -> None:
    metrics = PrometheusMetrics()
    harness.router.observe(metrics)
    await harness.say("anna", f"flag acute {SUMMARY} #threat")
    await harness.say("bo", "ack PSP-2026-0001")
    await harness.say("bo", "ack PSP-2026-0001")  # "already acknowledged": answered, ok
    await harness.say("bo", "reopen PSP-2026-0001 fordi")  # refused: lead only
    await harness.say("carl", "show PSP-2026-0099")  # refused: no such case
    await harness.say("carl", "flag bogus")  # parse error
    await harness.say("carl", "note PSP-2026-0001 cpr 010190-1234")  # refused: CPR
    metrics.scheduler_tick(0.012, {planner.ESCALATION: 2})
    metrics.delivery_failure("slack", "ratelimited", dropped=False)
    metrics.delivery_failure("matrix", "M_FORBIDDEN", dropped=True)
    metrics.outbox_backlog({"matrix": (3, 42.0)})
    metrics.matrix_sync(0.8)  # what the adapters report (tests/test_metrics_adapters.py)
    metrics.matrix_synced()
    metrics.matrix_undecryptable()
    metrics.slack_ack(0.004)

    async with client_for(metrics, {}) as client:
        scraped = await (await client.get("/metrics")).text()
        assert (await client.get("/healthz")).status == 200

    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(scraped)
        for s in family.samples
    }
    assert samples[("psp_commands_total", (("outcome", "ok"), ("verb", "FlagCase")))] == 1
    assert samples[("psp_commands_total", (("outcome", "ok"), ("verb", "AcknowledgeCase")))] == 2
    assert samples[("psp_commands_total", (("outcome", "refused"), ("verb", "ReopenCase")))] == 1
    assert samples[("psp_commands_total", (("outcome", "refused"), ("verb", "ShowCase")))] == 1
    assert samples[("psp_commands_total", (("outcome", "parse_error"), ("verb", "none")))] == 1
    assert samples[("psp_commands_total", (("outcome", "cpr_refused"), ("verb", "none")))] == 1
    assert samples[("psp_command_seconds_count", (("verb", "FlagCase"),))] == 1
    assert samples[("psp_scheduler_notices_total", (("kind", "escalation"),))] == 2
    assert samples[("psp_scheduler_tick_seconds_count", ())] == 1
    failures = "psp_delivery_failures_total"
    slack_retry = (("platform", "slack"), ("reason", "ratelimited"), ("result", "retry"))
    assert samples[(failures, slack_retry)] == 1
    matrix_drop = (("platform", "matrix"), ("reason", "M_FORBIDDEN"), ("result", "dropped"))
    assert samples[(failures, matrix_drop)] == 1
    assert samples[("psp_outbox_pending", (("platform", "matrix"),))] == 3
    assert samples[("psp_outbox_oldest_pending_seconds", (("platform", "matrix"),))] == 42
    assert samples[("psp_matrix_sync_lag_seconds_count", ())] == 1
    assert samples[("psp_matrix_last_sync_timestamp_seconds", ())] > 1.7e9
    assert samples[("psp_matrix_undecryptable_events_total", ())] == 1
    assert samples[("psp_slack_ack_seconds_count", ())] == 1

    vocabulary = {
        "verb": VERBS,
        "outcome": OUTCOMES,
        "kind": KINDS,
        "platform": {"matrix", "slack", "console"},
        "reason": {"ratelimited", "M_FORBIDDEN"},  # reason codes, never a text
        "result": {"retry", "dropped"},
        "late": {"yes", "no"},
        "le": None,
    }
    for (name, labels), _value in samples.items():
        for label, value in labels:
            allowed = vocabulary.get(label, set())
            assert allowed is None or value in allowed, (name, label, value)
    # (The console room is called "console" like its platform: the vocabulary check above
    # is what shows that no label names a room.)
    for leak in (SUMMARY, "PSP-2026", "010190", "anna", "carl"):
        assert leak not in scraped


# --- a private PostgreSQL cluster ---------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateCluster:
    """initdb in a temporary directory, on a free port; started and stopped at will. Never
    the shared server on 5432."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="psp-pg-"))
        self.port = _free_port()
        self.data = self.dir / "data"
        self._as_postgres = os.geteuid() == 0  # initdb refuses to run as root
        if self._as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        command = ["runuser", "-u", "postgres", "--", *args] if self._as_postgres else [*args]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres", "-N")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.dir / "server.log")  # not our pipe: the server outlives pg_ctl
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def remove(self) -> None:
        subprocess.run(
            ["pg_ctl", "-D", str(self.data), "-m", "immediate", "stop"]
            if not self._as_postgres
            else [
                "runuser",
                "-u",
                "postgres",
                "--",
                "pg_ctl",
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            check=False,
            timeout=60,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    if shutil.which("initdb") is None or shutil.which("pg_ctl") is None:
        if IN_CI:
            pytest.fail("initdb and pg_ctl are required under CI=true")
        pytest.skip("PostgreSQL server binaries are not installed")
    private = PrivateCluster()
    try:
        private.init()
        private.start()
        yield private
    finally:
        private.remove()


async def test_readyz_is_not_ready_while_postgresql_is_down_and_ready_again_after(
    cluster: PrivateCluster,
) -> None:
    engine = make_engine(cluster.url)
    try:
        await upgrade(engine)
        metrics = PrometheusMetrics()
        async with client_for(metrics, readiness_probes(engine, [], None)) as client:
            answer = await client.get("/readyz")
            body = await answer.json()
            assert answer.status == 200 and body["ready"] is True
            assert body["checks"]["database"]["detail"].startswith("answers, schema")

            cluster.stop()
            answer = await client.get("/readyz")
            body = await answer.json()
            assert answer.status == 503 and body["ready"] is False
            assert body["checks"]["database"]["ok"] is False
            assert body["checks"]["database"]["detail"].startswith("does not answer")
            assert (await client.get("/healthz")).status == 200  # alive all the same
            scraped = await (await client.get("/metrics")).text()
            assert 'psp_ready_check{check="database"} 0.0' in scraped

            cluster.start()
            deadline = time.monotonic() + 30
            while True:  # the pool notices the restart on its next checkout
                answer = await client.get("/readyz")
                if answer.status == 200 or time.monotonic() > deadline:
                    break
            assert answer.status == 200
            assert (await answer.json())["checks"]["database"]["ok"] is True
    finally:
        await engine.dispose()
