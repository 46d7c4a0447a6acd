"""Retention, export and detail levels on SQLite and PostgreSQL: a purge removes exactly the
text and member links of cases closed long enough, keeps the statistical skeleton, retracts
the bot's chat messages and is audited; an export holds everything and is audited; a
minimal-detail room never receives free text."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli import main
from bot.clock import FakeClock
from bot.ports.delivery import Dropped, Retry, SendResult, Sent
from bot.ports.outbox import OutboxStatus
from bot.retention import RetentionPolicy, RetentionService, run_retention
from storage.audit_chain import AUDIT
from storage.audit_verify import verify_chain
from storage.models import AcknowledgementRow, CaseRow, DecisionRow, NoteRow, PostedMessageRow
from storage.retention import SqlAlchemyRetentionStore
from tests.conftest import Harness
from tests.delivery_support import outbox
from tests.protection_support import TEST_CODEC, RetractingSender, secure_harness

POLICY = RetentionPolicy(closed_case_days=365, stale_open_days=90)
OLD, OPEN, RECENT = "PSP-2026-0001", "PSP-2026-0002", "PSP-2026-0003"
SECRET = "ZQXSECRET"


async def full_case(h: Harness, ref: str, *, room: str = "console") -> None:
    await h.text("anna", f"note {ref} {SECRET}note", room=room)
    await h.text("bo", f"ack {ref}", room=room)
    await h.text("anna", f"take {ref}", room=room)
    await h.text(
        "anna", f'decide {ref} "{SECRET}decision" --fallback "{SECRET}fallback"', room=room
    )
    assert "closed" in await h.text(
        "anna", f"close {ref} {SECRET}resolution --outcome other", room=room
    )


async def three_cases(engine: AsyncEngine, clock: FakeClock) -> tuple[Harness, RetractingSender]:
    """OLD closed 370 days before the run, OPEN never touched since, RECENT closed 70 days
    before the run."""
    h, sender = await secure_harness(engine, clock)
    await h.text("anna", f"flag acute {SECRET}summary #threat #housing")
    await h.text("anna", f"flag urgent {SECRET}open summary")
    await h.text("anna", f"flag normal {SECRET}recent summary")
    await full_case(h, OLD)
    clock.advance(timedelta(days=300))
    await full_case(h, RECENT)
    clock.advance(timedelta(days=70))
    return h, sender


def store(engine: AsyncEngine) -> SqlAlchemyRetentionStore:
    return SqlAlchemyRetentionStore(engine, TEST_CODEC)


async def retention(h: Harness, *, deliver: bool = True, **kwargs: bool) -> object:
    """A retention pass, then (unless `deliver` is False) the delivery worker's pass that
    sends the retractions it queued."""
    report = await run_retention(
        router=h.router,
        store=store(h.engine),
        uow_factory=h.uow_factory,
        clock=h.clock,
        policy=POLICY,
        locale="en",
        **kwargs,
    )
    if deliver:
        await h.router.delivery.run_once()
    return report


async def rows(engine: AsyncEngine, table: object, **where: object) -> list[object]:
    t = table.__table__  # type: ignore[attr-defined]
    async with engine.connect() as conn:
        query = select(t).where(*(t.c[k] == v for k, v in where.items()))
        return list((await conn.execute(query)).all())


async def test_dry_run_lists_what_would_go_and_changes_nothing(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    h, sender = await three_cases(engine, clock)
    report = await retention(h, dry_run=True)
    assert report.due == [OLD]  # type: ignore[attr-defined]
    assert f"{SECRET}resolution" in await h.text("erik", f"show {OLD}")
    assert sender.retracted == []


async def test_purge_keeps_the_skeleton_and_removes_the_rest(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    h, sender = await three_cases(engine, clock)
    (old,) = await rows(engine, CaseRow, ref=OLD)
    old_messages = {r.message_id for r in await rows(engine, PostedMessageRow, case_id=old.id)}
    assert len(old_messages) >= 5  # alert, ack, take, decision, close …
    report = await retention(h)
    assert report.purged == [OLD]  # type: ignore[attr-defined]
    (purged,) = await rows(engine, CaseRow, ref=OLD)
    # Skeleton: group, urgency, tags, agencies, dates.
    assert (purged.group_id, purged.urgency, purged.tags) == (old.group_id, "acute", old.tags)
    assert set(purged.tags.split()) == {"threat", "housing"}
    assert (purged.flagging_agency, purged.responsible) == ("police", "police")
    assert (purged.created_at, purged.closed_at) == (old.created_at, old.closed_at)
    assert purged.purged_at == clock.now()
    # Gone: free text, decision texts, member links.
    assert (purged.summary, purged.resolution, purged.flagged_by) == ("", None, None)
    assert await rows(engine, NoteRow, case_id=old.id) == []
    (decision,) = await rows(engine, DecisionRow, case_id=old.id)
    assert (decision.text, decision.fallback, decision.by_member) == ("", None, None)
    assert decision.owner == "police"
    assert all(a.member_id is None for a in await rows(engine, AcknowledgementRow, case_id=old.id))
    # The bot's messages about it were retracted, and only those: through the outbox, as
    # rows written in the purge's transaction and now delivered.
    assert report.retractions == len(old_messages)  # type: ignore[attr-defined]
    assert {m for _room, m in sender.retracted} == old_messages
    retractions = [r for r in await outbox(h) if r.kind == "retraction"]
    assert len(retractions) == len(old_messages)
    assert {r.status for r in retractions} == {OutboxStatus.DELIVERED}
    assert await rows(engine, PostedMessageRow, case_id=old.id) == []
    shown = await h.text("erik", f"show {OLD}")
    assert SECRET not in shown and "acute" in shown
    # The other two cases are untouched.
    for ref in (OPEN, RECENT):
        assert f"{SECRET}" in await h.text("erik", f"show {ref}")
        (case,) = await rows(engine, CaseRow, ref=ref)
        assert case.purged_at is None and await rows(engine, PostedMessageRow, case_id=case.id)
    # The purge is audited, by ids, and the chain still holds.
    purge_rows = [
        r for r in await rows(engine, AuditRow_, case_id=old.id) if r.action == "case.purge"
    ]
    assert len(purge_rows) == 1 and SECRET not in purge_rows[0].detail
    async with engine.connect() as conn:
        assert (await verify_chain(conn)).intact
    # A second run purges nothing again; it only takes back the `show` answer posted above
    # (posted after the purge, about the purged case).
    again = await retention(h)
    assert again.purged == [] and again.retractions == 1  # type: ignore[attr-defined]
    assert len(sender.retracted) == len(old_messages) + 1


AuditRow_ = type("AuditRow_", (), {"__table__": AUDIT})


async def test_retractions_the_cli_queued_are_sent_by_the_running_bot(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    h, sender = await three_cases(engine, clock)
    from bot.runtime import Router

    offline = Router(bot=h.core, uow_factory=h.uow_factory, clock=clock)  # no senders
    report = await run_retention(
        router=offline,
        store=store(engine),
        uow_factory=h.uow_factory,
        clock=clock,
        policy=POLICY,
        report_stale=False,
    )
    await offline.delivery.run_once()  # the CLI cannot send them
    assert report.purged == [OLD] and report.retractions >= 5
    assert sender.retracted == []
    pending = [r for r in await outbox(h, OutboxStatus.PENDING) if r.kind == "retraction"]
    assert len(pending) == report.retractions
    await h.router.delivery.run_once()  # the running bot's worker
    assert len(sender.retracted) == report.retractions
    assert [r for r in await outbox(h, OutboxStatus.PENDING) if r.kind == "retraction"] == []
    assert (await retention(h)).retractions == 0  # type: ignore[attr-defined]


async def test_a_stale_open_case_is_reported_to_the_lead_once(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    h, _sender = await three_cases(engine, clock)
    h.sent.clear()
    report = await retention(h)
    assert report.stale == [OPEN]  # type: ignore[attr-defined]
    (notice,) = h.sent
    assert OPEN in notice.text and "90 days" in notice.text and SECRET not in notice.text
    assert [m.display_name for m in notice.mentions] == ["erik"]
    h.sent.clear()
    assert (await retention(h)).stale == []  # type: ignore[attr-defined]
    assert h.sent == []


# --- export -----------------------------------------------------------------------------


@pytest.fixture
def cli_config(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PSP_BOT_DATABASE_URL", database_url)
    # The same key as the secure harness (tests/protection_support.py: k1 = 32 × 0x01).
    monkeypatch.setenv("PSP_BOT_ENCRYPTION_KEY", "k1:" + base64.b64encode(b"\1" * 32).decode())
    config = tmp_path / "psp.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    return config


async def cli(config: Path, *args: str) -> int:
    return await asyncio.to_thread(main, ["--config", str(config), *args])


async def test_export_holds_everything_and_is_audited(
    engine: AsyncEngine, clock: FakeClock, cli_config: Path, tmp_path: Path
) -> None:
    await three_cases(engine, clock)
    out = tmp_path / "export.json"
    # A file already there with a wider mode is replaced by one only its owner reads.
    out.write_text("old", encoding="utf-8")
    out.chmod(0o644)
    args = ("case", "export", OLD, "--group", "Demo", "--operator", "Jens Ødegaard")
    args += ("--reference", "Aktindsigt 2026/17", "--purpose", "access-request")
    assert await cli(cli_config, *args, "--out", str(out)) == 0
    assert out.stat().st_mode & 0o777 == 0o600
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["purpose"] == "access-request"
    assert (doc["operator"], doc["reference"]) == ("Jens Ødegaard", "Aktindsigt 2026/17")
    assert doc["case"]["summary"] == f"{SECRET}summary #threat #housing".split(" #")[0]
    assert doc["case"]["resolution"] == f"{SECRET}resolution"
    assert [n["text"] for n in doc["notes"]] == [f"{SECRET}note"]
    assert [(d["text"], d["fallback"]) for d in doc["decisions"]] == [
        (f"{SECRET}decision", f"{SECRET}fallback")
    ]
    assert {a["agency"] for a in doc["acknowledgements"]} == {"police", "social"}
    assert [c["agency"] for c in doc["responsibility_history"]] == ["police"]
    assert {m["display_name"] for m in doc["members"]} >= {"anna", "bo"}
    assert len(doc["chat_messages"]) >= 5
    assert {"case.flag", "case.close", "note.add"} <= {e["action"] for e in doc["audit"]}
    (case,) = await rows(engine, CaseRow, ref=OLD)
    audit = [r for r in await rows(engine, AuditRow_, case_id=case.id) if r.action == "case.export"]
    assert [r.detail for r in audit] == [
        "purpose=access-request format=json via=cli operator=Jens%20%C3%98degaard "
        "reference=Aktindsigt%202026%2F17"
    ]
    md = tmp_path / "export.md"
    assert await cli(cli_config, *args[:-1], "handover", "--format", "md", "--out", str(md)) == 0
    assert f"{SECRET}fallback" in md.read_text(encoding="utf-8")


async def test_there_is_no_purpose_for_criminal_investigation(
    engine: AsyncEngine, clock: FakeClock, cli_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await three_cases(engine, clock)
    args = ("case", "export", OLD, "--group", "Demo", "--operator", "JØ", "--reference", "x")
    args += ("--purpose", "investigation")
    with pytest.raises(SystemExit):
        await cli(cli_config, *args)
    assert "§ 115, stk. 2" in capsys.readouterr().err
    (case,) = await rows(engine, CaseRow, ref=OLD)
    assert not [
        r for r in await rows(engine, AuditRow_, case_id=case.id) if r.action == "case.export"
    ]


# --- detail levels ----------------------------------------------------------------------


async def test_a_minimal_room_never_receives_free_text(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    h, _sender = await secure_harness(engine, clock)
    assert "minimal" in await h.text("admin", "group setup Demo --detail minimal", room="min")
    for room in ("console", "min"):
        await h.text("anna", f"flag acute {SECRET}summary #threat", room=room)
    for room in ("console", "min"):
        for ref in ("PSP-2026-0001", "PSP-2026-0002"):
            await h.text("anna", f"take {ref}", room=room)
            await h.text(
                "anna", f'decide {ref} "{SECRET}decision" --fallback "{SECRET}fb"', room=room
            )
            await h.text("bo", f"note {ref} {SECRET}note", room=room)
            await h.text("erik", f"show {ref}", room=room)
            await h.text("erik", "list", room=room)
            await h.text("erik", "list all", room=room)
    for ref in ("PSP-2026-0001", "PSP-2026-0002"):
        await h.text("anna", f"close {ref} {SECRET}resolution --outcome other", room="min")
        await h.text("erik", f"show {ref}", room="min")
    await h.text("erik", "list closed", room="min")
    to_minimal = [r for r in h.sent if r.room.room_id == "min"]
    to_full = [r for r in h.sent if r.room.room_id == "console"]
    assert len(to_minimal) >= 20  # alerts, updates, shows, lists, closes
    assert not [r.text for r in to_minimal if SECRET in r.text or SECRET in str(r.fields)]
    assert any("PSP-2026-0001" in r.text for r in to_minimal)
    assert any(SECRET in r.text for r in to_full)  # the full room does see it


async def test_cli_purge_dry_run_then_purge(
    engine: AsyncEngine, cli_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Against the real clock: one case closed 400 days ago, one 100 days ago, limit 200."""
    clock = FakeClock(datetime.now(UTC) - timedelta(days=400))
    h, _sender = await secure_harness(engine, clock)
    old, open_, recent = (f"PSP-{clock.now().year}-000{n}" for n in (1, 2, 3))
    for _ in range(3):
        await h.text("anna", f"flag normal {SECRET}summary")
    await full_case(h, old)
    clock.advance(timedelta(days=300))
    await full_case(h, recent)
    with cli_config.open("a", encoding="utf-8") as handle:
        handle.write("[retention]\nclosed_case_days = 200\nstale_open_days = 90\n")
    assert await cli(cli_config, "purge", "--dry-run") == 0
    out = capsys.readouterr().out
    assert f"would purge 1 closed cases (closed more than 200 days ago): {old}" in out
    assert f"untouched for 90+ days: {open_}" in out
    (case,) = await rows(engine, CaseRow, ref=old)
    assert case.purged_at is None
    assert await cli(cli_config, "purge") == 0
    out = capsys.readouterr().out
    assert f"purged 1 closed cases: {old}" in out
    assert "queued in the outbox; the running bot takes them back" in out
    (case,) = await rows(engine, CaseRow, ref=old)
    assert case.purged_at is not None and case.summary == ""
    (kept,) = await rows(engine, CaseRow, ref=recent)
    assert kept.purged_at is None


def test_retention_config_names_a_bad_key() -> None:
    from bot.config import ConfigError
    from bot.retention import retention_policy

    assert retention_policy({}) == RetentionPolicy(365, 90)
    assert retention_policy({"retention": {"closed_case_days": 180}}).closed_case_days == 180
    with pytest.raises(ConfigError, match=r"\[retention\] closed_case_days: must be between"):
        retention_policy({"retention": {"closed_case_days": 0}})
    with pytest.raises(ConfigError, match=r"\[retention\] keep_days: unknown key"):
        retention_policy({"retention": {"keep_days": 10}})


class Follower:
    async def acquire(self) -> bool:
        return False

    async def release(self) -> None:
        return None


async def test_the_daily_service_purges_unless_another_process_leads(
    engine: AsyncEngine, clock: FakeClock
) -> None:

    h, sender = await three_cases(engine, clock)
    common = {
        "router": h.router,
        "store": store(engine),
        "uow_factory": h.uow_factory,
        "clock": clock,
        "policy": POLICY,
        "locale": "da",
    }
    assert await RetentionService(**common, leader=Follower()).run_once() is None  # type: ignore[arg-type]
    await h.router.delivery.run_once()
    assert sender.retracted == []
    report = await RetentionService(**common).run_once()  # type: ignore[arg-type]
    await h.router.delivery.run_once()
    assert report is not None and report.purged == [OLD] and sender.retracted
    assert "Til tovholderen" in h.sent[-1].text  # the stale notice, in the group's language


async def test_a_purged_case_reopened_and_closed_again_is_purged_again(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    h, _sender = await three_cases(engine, clock)
    assert (await retention(h)).purged == [OLD]  # type: ignore[attr-defined]
    clock.advance(timedelta(days=2))
    assert "reopened" in (await h.text("erik", f"reopen {OLD} borgeren er tilbage")).lower()
    await h.text("anna", f"note {OLD} {SECRET}second round")
    await h.text("anna", f"close {OLD} {SECRET}second resolution --outcome other")
    assert (await retention(h)).purged == []  # type: ignore[attr-defined]
    clock.advance(timedelta(days=366))
    assert OLD in (await retention(h)).purged  # type: ignore[attr-defined]
    (case,) = await rows(engine, CaseRow, ref=OLD)
    assert (case.summary, case.resolution) == ("", None)
    assert await rows(engine, NoteRow, case_id=case.id) == []


async def test_a_failed_retraction_is_retried_by_the_outbox_and_a_refused_one_dropped(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    h, sender = await three_cases(engine, clock)
    answers: list[SendResult | Exception] = [
        Retry(reason="http-503"),
        RuntimeError("homeserver down"),
        Dropped(reason="M_FORBIDDEN"),
    ]

    async def flaky(room_id: str, message_id: str) -> SendResult:
        answer = answers.pop(0) if answers else Sent()
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, Sent):
            sender.retracted.append((room_id, message_id))
        return answer

    sender.retract = flaky  # type: ignore[method-assign]
    first = await retention(h)
    queued = first.retractions  # type: ignore[attr-defined]
    assert first.purged == [OLD] and queued >= 5  # type: ignore[attr-defined]
    assert sender.retracted == []  # the first waits for its retry; the room's others wait too
    (case,) = await rows(engine, CaseRow, ref=OLD)
    assert await rows(engine, PostedMessageRow, case_id=case.id) == []  # the outbox has them
    for _ in range(3):
        clock.advance(timedelta(minutes=10))
        await h.router.delivery.run_once()
    retractions = [r for r in await outbox(h) if r.kind == "retraction"]
    statuses = sorted(r.status.value for r in retractions)
    assert statuses == ["delivered"] * (queued - 1) + ["dropped"]
    (dropped,) = [r for r in retractions if r.status is OutboxStatus.DROPPED]
    assert (dropped.reason, dropped.attempts) == ("M_FORBIDDEN", 3)
    assert len(sender.retracted) == queued - 1


async def test_with_several_processes_on_postgresql_one_runs_the_daily_job(
    engine: AsyncEngine, clock: FakeClock, database_url: str, tmp_path: Path
) -> None:
    from bot.bootstrap import bootstrap
    from bot.cli_setup import retention_leader, scheduler_leader
    from bot.config import parse_settings

    h, _sender = await three_cases(engine, clock)
    settings = parse_settings(
        {"bot": {"data_dir": str(tmp_path)}, "database": {"url": database_url}}
    )

    def process() -> RetentionService:  # each process wires its own, as `psp-bot run` does
        return bootstrap(
            settings,
            uow_factory=h.uow_factory,
            clock=clock,
            scheduler_leader=scheduler_leader(settings, engine),
            retention_store=store(engine),
            retention_leader=retention_leader(settings, engine),
        ).retention

    first, second = process(), process()
    try:
        assert await first.run_once() is not None
        if database_url.startswith("postgresql"):
            assert await second.run_once() is None
        else:  # SQLite: one bot process per database file, which always leads
            assert await second.run_once() is not None
    finally:
        await first._leader.release()
        await second._leader.release()
