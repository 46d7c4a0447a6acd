"""The pager: an acute case flagged on a Friday at 22:40 reaches the duty contacts at once,
escalates, and pages the agency's duty contact and the lead through a local webhook stand-in
that checks the signature. A gateway that answers 500 or hangs is retried and never pages
twice. On SQLite and PostgreSQL, with a fake clock."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.pager import PagerSender
from bot.app import BotSettings, PspBot
from bot.clock import FakeClock
from bot.config import ConfigError
from bot.demo import ensure_demo_group
from bot.domain import Platform
from bot.paging_config import PagerConfig, parse_pager_config
from bot.runtime import Router
from bot.scheduling.config import SchedulerConfig
from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.conftest import Harness, RecordingSender
from tests.scheduler_support import Driver, texts

SECRET = "s3cret-for-tests"
FRIDAY_NIGHT = datetime(2026, 11, 27, 21, 40, tzinfo=UTC)  # 22:40 in Copenhagen
REF = "PSP-2026-0001"


@dataclass
class Receiver:
    """An agency's paging receiver on 127.0.0.1: checks the signature, answers as told
    (`ok`, `fail` with 500, `hang` past the sender's timeout), and keeps each page once by
    its id."""

    mode: str = "ok"
    pages: dict[str, dict[str, object]] = field(default_factory=dict)
    requests: int = 0
    bad_signatures: int = 0
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        body = await request.read()
        stamp = request.headers["X-PSP-Timestamp"]
        expected = hmac.new(SECRET.encode(), f"v1:{stamp}:".encode() + body, hashlib.sha256)
        if not hmac.compare_digest(
            request.headers["X-PSP-Signature"], "v1=" + expected.hexdigest()
        ):
            self.bad_signatures += 1
            return web.Response(status=401)
        if self.mode == "fail":
            return web.Response(status=500)
        if self.mode == "hang":
            await asyncio.sleep(0.8)
            return web.Response(status=200)
        page = json.loads(body)
        assert page["id"] == request.headers["X-PSP-Page-Id"]
        self.pages.setdefault(page["id"], page)
        return web.Response(status=202)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    app = web.Application()
    app.router.add_post("/page", found.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    found.url = f"http://{host}:{port}/page"
    yield found
    await runner.cleanup()


def pager_harness(engine: AsyncEngine, clock: FakeClock, receiver: Receiver) -> Harness:
    factory = SqlAlchemyUnitOfWorkFactory(engine)
    bot = PspBot(
        uow_factory=factory,
        clock=clock,
        settings=BotSettings(
            default_locale="en", insecure_rooms_allowed=frozenset({Platform.CONSOLE}), pager=True
        ),
    )
    router = Router(bot=bot, uow_factory=factory, clock=clock)
    h = Harness(router, clock, engine, factory, "en", bot=bot)
    for platform in (Platform.CONSOLE, Platform.MATRIX, Platform.SLACK):
        router.attach(platform, RecordingSender(h.sent))
    config = PagerConfig(kind="webhook", url=receiver.url, secret=SECRET, timeout_seconds=0.3)
    router.attach(Platform.PAGER, PagerSender(config), inline=False)
    return h


@pytest.fixture
async def paged(engine: AsyncEngine, receiver: Receiver) -> Harness:
    clock = FakeClock(FRIDAY_NIGHT)
    h = pager_harness(engine, clock, receiver)
    await ensure_demo_group(h.uow_factory, clock)
    for command in ("member add @politivagt police duty", "member add @psykvagt psykiatri vagt"):
        assert "duty contact" in await h.text("erik", command)
    return h


def driver(h: Harness) -> Driver:
    return Driver(h, SchedulerConfig(page_after=600))


async def pump(h: Harness, times: int = 1, step: timedelta = timedelta(minutes=10)) -> None:
    """Let the delivery worker's background pass run, moving the clock past each backoff."""
    for _ in range(times):
        await h.router.delivery.run_once()
        h.clock.advance(step)


async def test_friday_night_acute_flag_reaches_duty_escalates_and_pages(
    paged: Harness, receiver: Receiver
) -> None:
    h = paged
    replies = await h.say("bo", "flag acute Borger truer naboer med kniv")
    alert = next(r for r in replies if r.message_key == f"alert:{REF}")
    assert {m.user_id for m in alert.mentions} == {"anna", "carl", "politivagt", "psykvagt"}
    assert "Outside working hours: duty contacts notified (police, psychiatry)." in alert.text
    # Police acknowledges through its duty desk; psychiatry stays silent.
    assert "acknowledged" in await h.text("politivagt", f"ack {REF}")
    d = driver(h)
    posted = await d.run_until(FRIDAY_NIGHT + timedelta(minutes=46))
    first = [p for p in posted if "deputies" in p.reply.text or "has not" in p.reply.text]
    assert first, texts(posted)
    step1 = posted[0]
    assert step1.at == FRIDAY_NIGHT + timedelta(minutes=15)
    assert {m.user_id for m in step1.reply.mentions} == {"carl", "psykvagt"}
    assert "duty contacts notified (psychiatry)" in step1.reply.text
    step2 = posted[1]
    assert step2.at == FRIDAY_NIGHT + timedelta(minutes=45)
    assert {m.user_id for m in step2.reply.mentions} == {"erik"}
    assert not receiver.pages  # the page is due 10 minutes after the lead
    told = await d.run_until(FRIDAY_NIGHT + timedelta(minutes=56))
    assert len(told) == 1 and told[0].reply.text.startswith(
        f"📟 {REF}: psychiatry has not acknowledged after "
    )
    assert told[0].reply.text.endswith("; its duty contact and the lead have been paged.")
    for _ in range(3):  # a page that timed out on a busy machine goes out on a later pass
        await pump(h)
        if len(receiver.pages) >= 2:
            break
    pages = sorted(receiver.pages.values(), key=lambda p: str(p["target"]))
    assert [(p["agency"], p["recipient"], p["target"]) for p in pages] == [
        ("psychiatry", "lead", "lead"),
        ("psychiatry", "duty", "psychiatry"),
    ]
    page = pages[1]
    assert page["case"] == REF and page["urgency"] == "acute" and page["group"] == "Demo"
    assert page["kind"] == "page" and page["step"] == "page"
    # No case text and no names in the page.
    assert "kniv" not in json.dumps(pages) and "carl" not in json.dumps(pages)
    assert receiver.bad_signatures == 0
    # Audited once; never paged again, however often the scheduler and the worker run.
    await d.run_until(FRIDAY_NIGHT + timedelta(hours=3))
    await pump(h, 3)
    assert len(receiver.pages) == 2 and receiver.requests == 2
    trail = await h.text("erik", f"audit {REF}")
    assert trail.count("paged (not acknowledged)") == 1


@pytest.mark.parametrize("mode", ["fail", "hang"])
async def test_a_failing_or_hanging_gateway_is_retried_and_never_pages_twice(
    paged: Harness, receiver: Receiver, mode: str
) -> None:
    h = paged
    await h.text("bo", "flag acute Borger truer naboer")
    for agency_user in ("politivagt",):
        await h.text(agency_user, f"ack {REF}")
    receiver.mode = mode
    d = driver(h)
    await d.run_until(FRIDAY_NIGHT + timedelta(minutes=56))
    # The tick never waited for the gateway: nothing was tried in its task.
    assert receiver.requests == 0
    await pump(h, 2)
    assert receiver.requests >= 2 and not receiver.pages
    # A command is answered while the gateway fails.
    assert "Demo" in await h.text("bo", "member list")
    # Still failing after five minutes: the lead hears it in the room, to phone instead.
    await pump(h, 1)
    before = len(h.sent)
    assert await h.router.delivery.tell_leads() == 2
    await h.router.delivery.run_once()
    warned = [r.text for r in h.sent[before:]]
    assert any(
        "The page to the duty contact of psychiatry has not got through the gateway" in t
        for t in warned
    ), warned
    receiver.mode = "ok"
    await pump(h, 3)
    await d.run_until(h.clock.now() + timedelta(hours=2))
    await pump(h, 2)
    assert sorted(str(p["target"]) for p in receiver.pages.values()) == ["lead", "psychiatry"]
    trail = await h.text("erik", f"audit {REF}")
    assert trail.count("paged (not acknowledged)") == 1


async def test_acknowledged_in_time_pages_nobody_and_page_test_reaches_the_gateway(
    paged: Harness, receiver: Receiver
) -> None:
    h = paged
    await h.text("bo", "flag acute Borger truer naboer")
    await h.text("politivagt", f"ack {REF}")
    await h.text("psykvagt", f"ack {REF}")
    await driver(h).run_until(FRIDAY_NIGHT + timedelta(hours=2))
    await pump(h)
    assert receiver.requests == 0
    assert "Test page to the lead queued" in await h.text("erik", "page test")
    assert "Test page to the duty contact of police queued" in await h.text(
        "erik", "page test police"
    )
    await pump(h)
    kinds = sorted((p["kind"], p["target"]) for p in receiver.pages.values())
    assert kinds == [("test", "lead"), ("test", "police")]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ({"kind": "webhook", "url": "http://pager.example.org/psp"}, "must be https://"),
        ({"kind": "webhook", "url": "https://pager.example.org/psp"}, "PSP_BOT_PAGER_SECRET"),
        ({"kind": "webhook", "url": "https://x.org", "secret": "inline"}, "PSP_BOT_PAGER_SECRET"),
        ({"kind": "sms", "url": "https://sms.example.org/send"}, "{to} and {text}"),
        ({"kind": "pigeon", "url": "https://x.org"}, "must be one of webhook, sms"),
        (
            {"kind": "sms", "url": "https://s.org/?to={to}&m={text}", "numbers": {"x": "1"}},
            "is not an agency or lead",
        ),
        (
            {"kind": "sms", "url": "https://s.org/?to={to}&m={text}", "numbers": {"police": "12"}},
            "must be a phone number",
        ),
        (
            {
                "kind": "sms",
                "url": "https://s.org/?to={to}&m={text}",
                "numbers": {"lead": "+4511223344"},
            },
            "PSP_BOT_PAGER_TOKEN",
        ),
    ],
)
def test_bad_pager_config_is_one_line(
    table: dict[str, object], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PSP_BOT_PAGER_SECRET", raising=False)
    monkeypatch.delenv("PSP_BOT_PAGER_TOKEN", raising=False)
    with pytest.raises(ConfigError) as raised:
        parse_pager_config(table)
    assert expected in str(raised.value) and "\n" not in str(raised.value)
    assert str(raised.value).startswith("config [pager]")


@pytest.mark.unit
def test_loopback_http_and_the_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PSP_BOT_PAGER_SECRET", "abc")
    config = parse_pager_config({"kind": "webhook", "url": "http://127.0.0.1:9/p"})
    assert config is not None and config.secret == "abc" and config.after_seconds == 600
    assert parse_pager_config(None) is None


async def test_an_sms_gateway_gets_the_number_and_text_with_the_token(
    engine: AsyncEngine,
) -> None:
    got: list[tuple[str, str, str]] = []

    async def handle(request: web.Request) -> web.Response:
        got.append(
            (
                request.query["to"],
                request.query["text"],
                request.headers.get("Authorization", ""),
            )
        )
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/send", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        clock = FakeClock(FRIDAY_NIGHT)
        h = pager_harness(engine, clock, Receiver(url="http://127.0.0.1:9/unused"))
        config = PagerConfig(
            kind="sms",
            url=f"http://{host}:{port}/send?to={{to}}&text={{text}}",
            token="tok-123",
            numbers={"lead": "+4533445566"},
            timeout_seconds=0.5,
        )
        h.router.attach(Platform.PAGER, PagerSender(config), inline=False)
        await ensure_demo_group(h.uow_factory, clock)
        assert "queued" in await h.text("erik", "page test")
        assert "queued" in await h.text("erik", "page test police")
        await pump(h)
        # The lead has a number; the police duty desk has none: dropped with its reason.
        assert got == [("+4533445566", "PSP Demo: test page. Nothing to do.", "Bearer tok-123")]
    finally:
        await runner.cleanup()
