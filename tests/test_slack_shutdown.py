"""Graceful shutdown of `psp-bot run` in Slack HTTP mode, the way a deploy does it: SIGTERM in
the middle of a burst of signed slash commands, then a fresh start. Slack plays by its rules:
a request that got no 200 (503 while the bot stops, or no connection while it is down) is
sent again."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import count_cases
from tests.slack_standin import PRIVATE, SECRET, TEAM, SlackStandIn, command_body, signed_headers
from tests.slack_standin.rig import standin
from tests.test_slack_service import free_port

__all__ = ["standin"]

BURST = 40
# 429s before Slack takes alerts again: each holds the room's alerts back a second.
REFUSALS = 5


@dataclass
class SlackBotProcess:
    """`psp-bot run` in HTTP mode as its own process, against the stand-in."""

    directory: Path
    standin: SlackStandIn
    port: int = field(default_factory=free_port)
    process: asyncio.subprocess.Process | None = None

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.database_url = f"sqlite:///{self.directory / 'psp.sqlite3'}"
        self.config = self.directory / "config.toml"
        self.config.write_text(
            f"""
[bot]
locale = "en"
admins = ["slack:UADMIN"]
data_dir = "{self.directory / "data"}"
shutdown_grace_seconds = 10

[database]
url = "{self.database_url}"

[slack]
mode = "http"
http_port = {self.port}
team_allowlist = ["{TEAM}"]
api_base_url = "{self.standin.api_url}"
""",
            encoding="utf-8",
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    async def start(self) -> None:
        env = dict(os.environ)
        env["PSP_BOT_SLACK_BOT_TOKEN"] = "xoxb-test"
        env["PSP_BOT_SLACK_SIGNING_SECRET"] = SECRET
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "--config",
            str(self.config),
            "run",
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=(self.directory / "bot.log").open("ab"),
        )

    async def terminate(self) -> int:
        """SIGTERM, as systemd, Docker and Kubernetes stop a service; the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), 60)
        self.process = None
        return code

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        self.process = None


@pytest.fixture
async def bot(tmp_path: Path, standin: SlackStandIn) -> AsyncIterator[SlackBotProcess]:
    process = SlackBotProcess(tmp_path / "slackbot", standin)
    yield process
    await process.kill()
    print((process.directory / "bot.log").read_text(encoding="utf-8")[-5000:])


@dataclass
class Slack:
    """Sends signed slash commands like Slack: again, later, until one gets its 200."""

    session: aiohttp.ClientSession
    url: str
    answered: list[str] = field(default_factory=list)
    refused: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    async def send(self, body: bytes) -> int | None:
        """The status, or None when nobody answered (the bot is down)."""
        try:
            async with self.session.post(self.url, data=body, headers=signed_headers(body)) as r:
                await r.read()
                if r.status != 200:
                    self.refused.append((r.status, dict(r.headers)))
                return r.status
        except aiohttp.ClientError:
            return None

    async def until_answered(self, body: bytes, name: str) -> None:
        for _attempt in range(600):  # the bot starts within seconds; this only ends a hang
            if await self.send(body) == 200:
                self.answered.append(name)
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{name} was never answered")


def command(text: str, user: str) -> bytes:
    return command_body(text, user=user, channel=PRIVATE, trigger=uuid.uuid4().hex)


async def test_sigterm_during_a_burst_loses_no_case_and_no_alert(
    bot: SlackBotProcess, standin: SlackStandIn
) -> None:
    # Slack's requests reach the bot over a few connections at a time, so some of the burst
    # arrives while the bot is stopping.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=8)) as session:
        slack = Slack(session, bot.url)
        await bot.start()
        for user, line in (
            ("UADMIN", "group setup Burst"),
            ("UADMIN", "member add <@UANNA|anna> police rep"),
            ("UADMIN", "member add <@UBO|bo> social rep"),
        ):
            await slack.until_answered(command(line, user), line)

        # Slack is busy: the room's first alert is refused with 429 (Retry-After 1 s) a few
        # times over, and the alerts behind it in the room wait their turn, so the SIGTERM
        # finds commands and deliveries still under way and leaves alerts in the outbox.
        standin.rate_limits["chat.postMessage"] = REFUSALS
        summaries = [f"Burst case {i:02d}" for i in range(BURST)]
        bodies = {s: command(f"flag normal {s}", "UANNA") for s in summaries}
        first_answers = asyncio.Event()

        async def once(summary: str) -> None:
            if await slack.send(bodies[summary]) == 200:
                slack.answered.append(summary)
                if len(slack.answered) >= 3 + 10:
                    first_answers.set()

        burst = asyncio.gather(*(once(s) for s in summaries))
        await first_answers.wait()
        assert await bot.terminate() == 0
        await burst

        # Slack sends again what got no 200; the bot starts again, as after a deploy.
        await bot.start()
        await slack.until_answered(command("help", "UANNA"), "help")  # it is up
        unanswered = [s for s in summaries if s not in slack.answered]
        await asyncio.gather(*(slack.until_answered(bodies[s], s) for s in unanswered))
        await standin.wait_for(
            lambda st: all(any(s in t for t in st.texts()) for s in summaries), limit=60
        )
        assert await bot.terminate() == 0

    assert await count_cases(bot.database_url) == BURST
    alerts = standin.texts("chat.postMessage")
    for summary in summaries:
        assert sum(summary in t for t in alerts) == 1, summary
    # While stopping, the bot asked Slack to come back (no X-Slack-No-Retry, a Retry-After).
    for status, headers in slack.refused:
        assert status == 503
        assert "X-Slack-No-Retry" not in headers and "Retry-After" in headers
