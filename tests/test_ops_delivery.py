"""Delivery as operations sees it, on SQLite and PostgreSQL: after a walk in which one room
refuses for good and another keeps failing, a scrape of `/metrics` shows deliveries by kind,
failures by reason, the outbox backlog and the age of the last audit runs (and no label
carries a room, a ref or a text); `/readyz` and `psp-bot check` name the waiting outbox."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from adapters.ops.http import make_ops_app
from adapters.ops.metrics import PrometheusMetrics
from bot.cli import main
from bot.cli_ops_listener import refresh_gauges
from bot.domain import Platform
from bot.health import outbox_probe, run_checks, verdict
from bot.messages import Reply, ReplyKind, RoomRef
from bot.ports.delivery import Dropped, Retry
from storage.maintenance import AUDIT_VERIFY, TASKS, note_success
from tests.conftest import Harness
from tests.delivery_support import FlakySender, bind_rooms

SUMMARY = "Borger truer naboer med kniv"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(scraped: str) -> Samples:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(scraped)
        for s in family.samples
    }


async def test_a_scrape_after_a_walk_with_a_failing_sender_shows_the_delivery_series(
    harness: Harness,
) -> None:
    assert harness.engine is not None
    metrics = PrometheusMetrics()
    harness.router.observe(metrics)
    sender = FlakySender()
    harness.router.attach(Platform.MATRIX, sender)
    await bind_rooms(harness, "!ok:test", "!gone:test", "!flaky:test")
    sender.refuse_always("!gone:test", Dropped(reason="M_FORBIDDEN"))
    sender.refuse_always("!flaky:test", Retry(reason="http-503"))

    await harness.say("anna", f"flag acute {SUMMARY} #threat")
    await harness.say("bo", "ack PSP-2026-0001")
    # Ten minutes on, the flaky room has been tried again and still fails.
    harness.clock.advance(timedelta(minutes=10))
    await harness.router.delivery.run_once()
    await note_success(harness.engine, AUDIT_VERIFY, at=harness.clock.now() - timedelta(hours=2))

    probes = {"outbox": outbox_probe(harness.uow_factory, harness.clock, 300)}

    async def readiness() -> dict[str, object]:
        return verdict(await run_checks(probes))

    async def refresh() -> None:
        assert harness.engine is not None
        await refresh_gauges(metrics, harness.engine, harness.uow_factory, harness.clock)

    async with TestClient(TestServer(make_ops_app(metrics, readiness, refresh))) as client:
        scraped = await (await client.get("/metrics")).text()
        ready = await client.get("/readyz")
        body = await ready.json()

    samples = parse(scraped)
    # The working room got the alert, its rewrite after the acknowledgement and the
    # update in its thread; the room that removed the bot refused all three for good; the
    # flaky room failed twice (at first, and ten minutes on) and keeps all three waiting.
    delivered = "psp_delivered_total"
    on_time = (("late", "no"), ("platform", "matrix"))
    assert samples[(delivered, (("kind", "alert"), *on_time))] == 2
    assert samples[(delivered, (("kind", "update"), *on_time))] == 1
    failures = "psp_delivery_failures_total"
    dropped = (("platform", "matrix"), ("reason", "M_FORBIDDEN"), ("result", "dropped"))
    assert samples[(failures, dropped)] == 3
    retried = (("platform", "matrix"), ("reason", "http-503"), ("result", "retry"))
    assert samples[(failures, retried)] == 2
    # The oldest has waited ten minutes. Nothing waits on the console.
    assert samples[("psp_outbox_pending", (("platform", "matrix"),))] == 3
    assert samples[("psp_outbox_oldest_pending_seconds", (("platform", "matrix"),))] == 600
    assert samples[("psp_outbox_pending", (("platform", "console"),))] == 0
    age = "psp_audit_last_success_age_seconds"
    assert samples[(age, (("task", "audit_verify"),))] == 7200
    assert samples[(age, (("task", "audit_checkpoint"),))] == -1  # never
    # This process's connections: none in use between commands, the walk's kept open; the
    # most it may open on PostgreSQL (pool_size 10 + max_overflow 10), none made up on SQLite.
    connections = "psp_database_connections"
    assert samples[(connections, (("state", "in_use"),))] == 0
    assert samples[(connections, (("state", "idle"),))] >= 1
    limit = samples.get(("psp_database_connections_limit", ()))
    assert limit == (20 if harness.engine.dialect.name == "postgresql" else None)
    # Not ready: the outbox check names the platform and the wait, never a room.
    assert ready.status == 503 and body["ready"] is False
    detail = body["checks"]["outbox"]["detail"]
    assert body["checks"]["outbox"]["ok"] is False
    assert "matrix" in detail and "600 s" in detail and "300 s" in detail
    assert "!flaky" not in detail
    for leak in (SUMMARY, "PSP-2026", "!ok:test", "!gone", "!flaky", "anna"):
        assert leak not in scraped
    # Every label value comes from a fixed vocabulary.
    vocabulary = {
        "platform": {p.value for p in Platform},
        "kind": {k.value for k in ReplyKind},
        "late": {"yes", "no"},
        "reason": {"M_FORBIDDEN", "http-503"},
        "result": {"retry", "dropped"},
        "task": set(TASKS),
        "state": {"in_use", "idle"},
        "verb": None,  # command class names (tests/test_ops_listener.py)
        "outcome": None,
        "le": None,
    }
    for (name, labels), _value in samples.items():
        for label, value in labels:
            allowed = vocabulary[label]
            assert allowed is None or value in allowed, (name, label, value)

    # The room recovers: everything goes out, the backlog is empty and /readyz is ready.
    sender.recover("!flaky:test")
    harness.clock.advance(timedelta(minutes=10))
    await harness.router.delivery.run_once()
    async with TestClient(TestServer(make_ops_app(metrics, readiness, refresh))) as client:
        samples = parse(await (await client.get("/metrics")).text())
        assert (await client.get("/readyz")).status == 200
    assert samples[("psp_outbox_pending", (("platform", "matrix"),))] == 0
    # Sent at last, twenty minutes after they were decided: counted as late.
    late = (("late", "yes"), ("platform", "matrix"))
    assert samples[(delivered, (("kind", "alert"), *late))] == 2
    assert samples[(delivered, (("kind", "update"), *late))] == 1


async def test_check_fails_while_a_message_waits_too_long(
    harness: Harness,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`psp-bot check` (cron, Nagios) reads the outbox itself, with the same limit."""
    monkeypatch.setenv("PSP_BOT_DATABASE_URL", database_url)
    monkeypatch.setenv("PSP_BOT_ENCRYPTION_KEY", "k1:" + "A" * 43 + "=")
    config = tmp_path / "psp.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path}"\n', encoding="utf-8")
    from datetime import UTC, datetime

    async with harness.uow_factory() as uow:  # a Slack message nobody could send for 10 min
        await uow.outbox.add(
            [Reply(RoomRef(Platform.SLACK, "C0PRIVATE"), "text")],
            at=datetime.now(UTC) - timedelta(minutes=10),
        )
        await uow.commit()
    assert await asyncio.to_thread(main, ["--config", str(config), "check"]) == 1
    out = capsys.readouterr().out
    assert "FAIL outbox: messages wait longer than 300 s on slack (slack: 1 waiting" in out
    assert "C0PRIVATE" not in out
    with config.open("a", encoding="utf-8") as handle:
        handle.write("[ops]\noutbox_max_age_seconds = 3600\n")
    assert await asyncio.to_thread(main, ["--config", str(config), "check"]) == 0
    assert "ok   outbox: slack: 1 waiting, oldest 600 s" in capsys.readouterr().out
