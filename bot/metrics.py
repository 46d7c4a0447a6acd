"""What the core tells a metrics backend. Labels are fixed vocabularies only — a command's
class name, an outcome, a notice kind, a platform, a reason code — never case text, refs,
room names or user ids (data protection rule 5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from bot.ports import ConcurrentUpdateError, DatabaseBusyError, DatabaseUnavailable

# Outcomes of one incoming message.
OK = "ok"
REFUSED = "refused"  # the bot's own one-line refusal (rules, permissions, unknown case)
PARSE_ERROR = "parse_error"
CPR_REFUSED = "cpr_refused"
BUSY = "busy"  # the database did not let it in; nothing done
UNAVAILABLE = "unavailable"  # the database could not be reached; nothing done
CONFLICT = "conflict"  # concurrent updates every time it ran
ERROR = "error"  # a defect; rolled back
DUPLICATE = "duplicate"  # a re-delivered event, answered before


def database_error_kind(error: BaseException) -> str | None:
    """The `database_error` label of a failure, if it is the database's."""
    if isinstance(error, DatabaseUnavailable):
        return "unavailable"
    if isinstance(error, DatabaseBusyError):
        return "busy"
    if isinstance(error, ConcurrentUpdateError):
        return "conflict"
    return None


class Metrics(Protocol):
    def command(self, verb: str, outcome: str, seconds: float) -> None: ...

    def database_error(self, kind: str) -> None: ...

    def scheduler_tick(self, seconds: float, sent: Mapping[str, int]) -> None: ...

    def housekeeping(self, what: str, pruned: int) -> None: ...

    def delivery_failure(self, platform: str, reason: str, *, dropped: bool) -> None: ...

    def delivered(self, platform: str, kind: str, *, late: bool) -> None:
        """A message reached its room; `kind`: alert, escalation, reminder, answer …"""
        ...

    def matrix_sync(self, lag_seconds: float) -> None:
        """A sync brought an event this long after the homeserver received it."""
        ...

    def matrix_synced(self) -> None:
        """A sync's batch was handled."""
        ...

    def matrix_undecryptable(self) -> None: ...

    def slack_ack(self, seconds: float) -> None:
        """Slack's request answered (acknowledged) after this long."""
        ...


class NoMetrics:
    def command(self, verb: str, outcome: str, seconds: float) -> None:
        pass

    def database_error(self, kind: str) -> None:
        pass

    def scheduler_tick(self, seconds: float, sent: Mapping[str, int]) -> None:
        pass

    def housekeeping(self, what: str, pruned: int) -> None:
        pass

    def delivery_failure(self, platform: str, reason: str, *, dropped: bool) -> None:
        pass

    def delivered(self, platform: str, kind: str, *, late: bool) -> None:
        pass

    def matrix_sync(self, lag_seconds: float) -> None:
        pass

    def matrix_synced(self) -> None:
        pass

    def matrix_undecryptable(self) -> None:
        pass

    def slack_ack(self, seconds: float) -> None:
        pass
