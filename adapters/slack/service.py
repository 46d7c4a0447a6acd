"""The Slack service `psp-bot run` starts: the app in HTTP mode (an aiohttp server) or in
Socket Mode (an outbound websocket)."""

from __future__ import annotations

import asyncio
import logging

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
        self.connected = False

    def health(self) -> tuple[bool, str]:
        if not self.connected:
            return False, "not connected to Slack yet"
        return True, f"{self.adapter.config.mode} mode up"

    async def run(self) -> None:
        config = self.adapter.config
        if config.mode == "http":
            from aiohttp import web

            from adapters.slack.http import make_http_app

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
        else:
            from adapters.slack.socket import run_socket_mode

            await run_socket_mode(self.adapter, on_connected=self._up)

    def _up(self) -> None:
        self.connected = True


def make_api(config: SlackConfig) -> SlackApi:
    return SlackApi(AsyncWebClient(token=config.bot_token, base_url=config.api_base_url))


def build_service(config: SlackConfig, router: Router, settings: Settings) -> SlackService:
    return SlackService(SlackAdapter(config, router, api=make_api(config)))
