"""A 429 with only a Retry-After header (as a proxy in front of the homeserver may send) is
waited out as asked, then the send goes through."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from nio import AsyncClientConfig, RoomSendResponse

from adapters.matrix.session import BotClient, retry_after_ms


@pytest.fixture
async def homeserver() -> AsyncIterator[tuple[str, list[str]]]:
    """Answers the first send with 429 + `Retry-After: 2` (HTML body), the next with 200."""
    seen: list[str] = []

    async def send(request: web.Request) -> web.Response:
        seen.append(request.match_info["txn"])
        if len(seen) == 1:
            return web.Response(
                status=429, text="<html>slow down</html>", headers={"Retry-After": "2"}
            )
        return web.json_response({"event_id": "$sent"})

    app = web.Application()
    app.router.add_put("/_matrix/client/v3/rooms/{room}/send/{type}/{txn}", send)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}", seen
    await runner.cleanup()


async def test_retry_after_header_is_honoured(
    homeserver: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = homeserver
    waits: list[float] = []
    import nio.client.async_client as nio_client

    real_sleep = nio_client.asyncio.sleep

    async def recording_sleep(seconds: float) -> None:
        waits.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(nio_client.asyncio, "sleep", recording_sleep)
    client = BotClient(
        url, "@bot:test", config=AsyncClientConfig(encryption_enabled=False, max_limit_exceeded=2)
    )
    client.access_token = "token"
    try:
        answer = await client.room_send(
            "!room:test", "m.room.message", {"msgtype": "m.notice", "body": "hi"}, tx_id="t1"
        )
    finally:
        await client.close()
    assert isinstance(answer, RoomSendResponse)
    assert waits == [2.0]
    assert seen == ["t1", "t1"]  # the retry reuses the transaction id


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", 3000), (" 0 ", 0), ("soon", None), (None, None), ("999999", 3_600_000)],
)
def test_retry_after_values(header: str | None, expected: int | None) -> None:
    assert retry_after_ms(header) == expected
