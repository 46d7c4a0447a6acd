"""Readiness: named checks that each answer ok or what is wrong, within a time limit.

The same checks serve `/readyz` on the ops listener and `psp-bot check` on the command line.
A check's detail names the part and the problem ("no answer within 3 s"), never data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass


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
