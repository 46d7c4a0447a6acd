"""The access log a data protection officer can use: `audit <case>` names removed members,
`audit member` lists everything one person read or changed, and a command-line export names
who ran it and for which request. On SQLite and PostgreSQL, in Danish and English."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import FakeClock
from tests.conftest import Harness
from tests.test_protection_retention import (
    OLD,
    AuditRow_,
    cli,
    cli_config,
    rows,
    three_cases,
)
from tests.test_rules import REF, flagged, refused

__all__ = ["cli_config"]  # a fixture, used by name


@pytest.mark.parametrize(("locale", "removed"), [("en", "removed"), ("da", "fjernet")])
async def test_audit_of_a_case_names_a_removed_member_as_then(
    harness: Harness, locale: str, removed: str
) -> None:
    h = harness
    h.locale = locale
    await flagged(h)
    await h.text("bo", f"show {REF}")
    await h.text("erik", "member remove @bo")
    trail = await h.text("erik", f"audit {REF}")
    assert f"bo ({'social services' if locale == 'en' else 'socialforvaltning'}, {removed})" in (
        trail
    )
    assert "anna (" in trail and "—" not in trail


async def test_audit_of_a_member_lists_every_case_read_or_changed_when_and_where(
    harness: Harness,
) -> None:
    h = harness
    await flagged(h)
    assert "PSP-2026-0002" in await h.text("anna", "flag urgent Naboklage")
    await h.text("bo", f"show {REF}")
    await h.text("bo", "note PSP-2026-0002 Ringet op")
    await h.text("bo", "show PSP-2026-0002", room="other")  # unbound room: no case, no row
    trail = await h.text("erik", "audit member @bo")
    assert trail.splitlines()[0] == "Audit trail of bo (social services) in Demo: 2 actions:"
    assert f"{REF} · read · console:console" in trail
    assert "PSP-2026-0002 · note added · console:console" in trail
    await h.text("erik", "member remove @bo")
    h.clock.advance(timedelta(days=2))
    h.locale = "da"
    after = await h.text("erik", "revision medlem @bo --since 2026-11-24")
    assert after.splitlines() == [
        "Revisionsspor for bo (socialforvaltning, fjernet) i Demo siden 2026-11-24: 0 handlinger:"
    ]
    # The lead's own reading of the trail is in the log too.
    assert "medlems revisionsspor læst" in await h.text("erik", "audit member @erik")


async def test_audit_names_every_action_in_danish(harness: Harness) -> None:
    h = harness
    h.locale = "da"
    await flagged(h)
    await h.text("bo", f"vis {REF}")
    await h.text("bo", f"kvitter {REF}")
    case_trail = await h.text("erik", f"revision {REF}")
    for action in ("markeret", "læst", "kvitteret"):
        assert f" · {action}" in case_trail
    assert "case." not in case_trail
    member_trail = await h.text("erik", "revision medlem @bo")
    assert f"{REF} · læst · console:console" in member_trail
    assert f"{REF} · kvitteret · console:console" in member_trail


@pytest.mark.parametrize(
    ("locale", "lead_only", "unknown"),
    [
        ("en", "Only the group's lead", "is not a member of the group"),
        ("da", "Kun gruppens tovholder", "er ikke medlem af gruppen"),
    ],
)
async def test_audit_of_a_member_refusals_change_nothing(
    harness: Harness, locale: str, lead_only: str, unknown: str
) -> None:
    h = harness
    await flagged(h)
    h.locale = locale
    await refused(h, "bo", "audit member @anna", lead_only)
    await refused(h, "erik", "audit member @nobody", unknown)
    await refused(h, "erik", "audit member @anna --since 2026-13-01", "2026-13-01")
    await refused(h, "erik", "audit member", "")


async def test_an_export_needs_an_operator_and_a_reference(
    engine: AsyncEngine,
    clock: FakeClock,
    cli_config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    h, _sender = await three_cases(engine, clock)
    base = ("case", "export", OLD, "--group", "Demo", "--purpose", "handover")
    out = ("--out", str(tmp_path / "x.json"))
    for missing in (("--operator", "JØ"), ("--reference", "J.nr. 17"), ()):
        with pytest.raises(SystemExit):
            await cli(cli_config, *base, *missing, *out)
        assert "required" in capsys.readouterr().err
    cpr = ("--operator", "JØ", "--reference", "borger 010190-1234")
    assert await cli(cli_config, *base, *cpr, *out) == 2
    err = capsys.readouterr().err
    assert "CPR" in err and "010190" not in err
    with pytest.raises(SystemExit):
        await cli(cli_config, *base, "--operator", "  ", "--reference", "x", *out)
    assert not (tmp_path / "x.json").exists()
    exports = [r for r in await rows(engine, AuditRow_) if r.action == "case.export"]
    assert exports == []
    md = tmp_path / "x.md"
    args = ("--operator", "JØ", "--reference", "J.nr. 17", "--format", "md", "--out", str(md))
    assert await cli(cli_config, *base, *args) == 0
    assert "reference J.nr. 17" in md.read_text(encoding="utf-8")
    assert "by JØ" in md.read_text(encoding="utf-8")
    assert md.stat().st_mode & 0o777 == 0o600
    # In chat, the lead sees who exported it from the command line.
    assert "command line (JØ) · exported" in await h.text("erik", f"audit {OLD}")
