"""Readiness: named checks that each answer ok or what is wrong, within a time limit.

The same checks serve `/readyz` on the ops listener and `psp-bot check` on the command line.
A check's detail names the part and the problem ("no answer within 3 s"), never data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.ports import Clock, UnitOfWorkFactory
from bot.ports.outbox import OutboxBacklog


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str = "ok"


Probe = Callable[[], Awaitable[CheckResult]]


async def run_checks(
    probes: Mapping[str, Probe], *, limit_seconds: float = 3.0
) -> list[CheckResult]:
    async def one(name: str, probe: Probe) -> CheckResult:
        try:
            return await asyncio.wait_for(probe(), limit_seconds)
        except TimeoutError:
            return CheckResult(name, False, f"no answer within {limit_seconds:g} s")
        except Exception as exc:  # a failing probe is a not-ready part, not a crash
            return CheckResult(name, False, type(exc).__name__)

    return list(await asyncio.gather(*(one(name, probe) for name, probe in probes.items())))


def verdict(results: list[CheckResult]) -> dict[str, object]:
    """The JSON body of `/readyz`."""
    return {
        "ready": all(r.ok for r in results),
        "checks": {r.name: {"ok": r.ok, "detail": r.detail} for r in results},
    }


def outbox_verdict(
    backlog: Sequence[OutboxBacklog], *, now: datetime, max_age_seconds: float
) -> CheckResult:
    """Ready while no message has waited longer than `max_age_seconds` for its room. The
    detail names the platforms and ages (never a room or a text)."""
    if not backlog:
        return CheckResult("outbox", True, "nothing waiting")
    late = []
    parts = []
    for item in sorted(backlog, key=lambda b: b.platform.value):
        age = max(0.0, (now - item.oldest_created_at).total_seconds())
        parts.append(f"{item.platform.value}: {item.pending} waiting, oldest {age:.0f} s")
        if age > max_age_seconds:
            late.append(item.platform.value)
    detail = "; ".join(parts)
    if late:
        return CheckResult(
            "outbox",
            False,
            f"messages wait longer than {max_age_seconds:.0f} s on {', '.join(late)} ({detail})",
        )
    return CheckResult("outbox", True, detail)


def outbox_probe(uow_factory: UnitOfWorkFactory, clock: Clock, max_age_seconds: float) -> Probe:
    async def probe() -> CheckResult:
        async with uow_factory() as uow:
            backlog = await uow.outbox.backlog()
        return outbox_verdict(backlog, now=clock.now(), max_age_seconds=max_age_seconds)

    return probe
