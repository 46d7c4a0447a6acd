"""The Slack service `psp-bot run` starts: the app in HTTP mode (an aiohttp server) or in
Socket Mode (an outbound websocket), and its graceful stop."""

from __future__ import annotations

import asyncio
import logging

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.bolt_app import SlackAdapter
from adapters.slack.config import SlackConfig
from adapters.slack.webapi import SlackApi
from bot.config import Settings
from bot.runtime import Router

log = logging.getLogger(__name__)


class SlackService:
    platform_name = "slack"

    def __init__(self, adapter: SlackAdapter) -> None:
        self.adapter = adapter
        self._socket: AsyncSocketModeHandler | None = None
        self.connected = False

    def health(self) -> tuple[bool, str]:
        if not self.connected:
            return False, "not connected to Slack yet"
        return True, f"{self.adapter.config.mode} mode up"

    async def run(self) -> None:
        """Serve until cancelled. After `stop()` HTTP mode goes on answering 503 (Slack
        retries those requests later), so the server stays up until the bot exits."""
        if self.adapter.config.mode == "http":
            await self._serve_http()
        else:
            await self._serve_socket()

    async def stop(self) -> None:
        """Take no new deliveries: HTTP answers 503, Socket Mode closes its socket (Slack
        sends what it did not see acknowledged again, to the next connection)."""
        self.adapter.accepting = False
        socket, self._socket = self._socket, None
        if socket is not None:
            await socket.close_async()  # type: ignore[no-untyped-call]

    async def _serve_http(self) -> None:
        from aiohttp import web

        from adapters.slack.http import make_http_app

        config = self.adapter.config
        runner = web.AppRunner(make_http_app(self.adapter), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, config.http_host, config.http_port)
        await site.start()
        self.connected = True
        log.warning(
            "Slack HTTP mode listening on %s:%d%s",
            config.http_host,
            config.http_port,
            config.http_path,
        )
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    async def _serve_socket(self) -> None:
        from adapters.slack.socket import make_socket_handler

        handler = make_socket_handler(self.adapter)
        self._socket = handler
        await handler.connect_async()  # type: ignore[no-untyped-call]
        self.connected = True
        try:
            await asyncio.Event().wait()  # until cancelled
        finally:
            if self._socket is not None:
                self._socket = None
                await handler.close_async()  # type: ignore[no-untyped-call]


def make_api(config: SlackConfig) -> SlackApi:
    return SlackApi(AsyncWebClient(token=config.bot_token, base_url=config.api_base_url))


def build_service(config: SlackConfig, router: Router, settings: Settings) -> SlackService:
    return SlackService(SlackAdapter(config, router, api=make_api(config)))
