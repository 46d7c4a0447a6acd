"""The `[pager]` config section: the gateway that pages an agency's duty contact and the lead
when an acute case is still not acknowledged after the last escalation step.

    [pager]
    kind = "webhook"                      # a signed JSON POST the agency's receiver checks
    url = "https://pager.example.org/psp"
    # secret: PSP_BOT_PAGER_SECRET (or secret_file = "/run/secrets/pager")
    after_minutes = 10                    # after the escalation to the lead
    timeout_seconds = 10

    [pager]
    kind = "sms"                          # a generic HTTP SMS gateway
    url = "https://sms.example.org/send?to={to}&text={text}"
    numbers = { police = "+4511223344", psychiatry = "+4522334455", lead = "+4533445566" }
    # token: PSP_BOT_PAGER_TOKEN (sent as a bearer token, or as {token} in the URL)

Secrets come from the environment only; a missing one stops the start with one line naming
the variable. The URL must be HTTPS (plain HTTP only to this machine, for tests)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bot.config import ConfigError, SectionReader
from bot.domain import AGENCY_ALIASES
from bot.paging import LEAD_TARGET

KINDS = ("webhook", "sms")
SECRET_ENV = "PSP_BOT_PAGER_SECRET"
TOKEN_ENV = "PSP_BOT_PAGER_TOKEN"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_PHONE = re.compile(r"^\+?[0-9]{6,15}$")


@dataclass(frozen=True)
class PagerConfig:
    kind: str
    url: str
    secret: str | None = None  # webhook: the HMAC key
    token: str | None = None  # sms: the gateway's credential
    # sms: target ("police", …, "lead") -> phone number of the duty desk or the lead.
    numbers: Mapping[str, str] = field(default_factory=dict)
    after_seconds: int = 600
    timeout_seconds: float = 10.0


def check_url(url: str, *, key: str = "url") -> None:
    parts = urlsplit(url.replace("{", "").replace("}", ""))
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in LOOPBACK:
        return
    raise ConfigError(f"config [pager] {key}: must be https:// (plain http only to 127.0.0.1)")


def _numbers(table: Any) -> dict[str, str]:
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        raise ConfigError('config [pager] numbers: must be a table like { police = "+45…" }')
    numbers: dict[str, str] = {}
    for name, number in table.items():
        agency = AGENCY_ALIASES.get(str(name).lower())
        target = agency.value if agency is not None else str(name).lower()
        if agency is None and target != LEAD_TARGET:
            raise ConfigError(f"config [pager] numbers: {name!r} is not an agency or lead")
        if not isinstance(number, str) or not _PHONE.match(number.replace(" ", "")):
            raise ConfigError(f"config [pager] numbers: {name!r} must be a phone number")
        numbers[target] = number.replace(" ", "")
    return numbers


def parse_pager_config(table: Mapping[str, Any] | None) -> PagerConfig | None:
    """None without a `[pager]` section: no paging (the rest of the bot is unchanged)."""
    if table is None:
        return None
    reader = SectionReader("pager", table)
    kind = reader.choice("kind", "webhook", KINDS)
    url = reader.text("url", "")
    if not url:
        raise ConfigError("config [pager] url: is required")
    check_url(url)
    after = reader.integer("after_minutes", 10, minimum=0, maximum=24 * 60)
    timeout = reader.integer("timeout_seconds", 10, minimum=1, maximum=120)
    secret = token = None
    numbers: dict[str, str] = {}
    if kind == "webhook":
        secret = reader.secret("secret", SECRET_ENV, required=True)
    else:
        if "{to}" not in url or "{text}" not in url:
            raise ConfigError("config [pager] url: an sms url needs {to} and {text}")
        numbers = _numbers(reader.value("numbers"))
        if not numbers:
            raise ConfigError('config [pager] numbers: is required for kind = "sms"')
        token = reader.secret("token", TOKEN_ENV, required=True)
    reader.done()
    return PagerConfig(
        kind=kind,
        url=url,
        secret=secret,
        token=token,
        numbers=numbers,
        after_seconds=60 * after,
        timeout_seconds=float(timeout),
    )
