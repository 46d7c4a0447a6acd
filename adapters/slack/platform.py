"""Slack as a platform of `psp-bot run` (the `[slack]` section)."""

from __future__ import annotations

from adapters.slack.config import SlackConfig, load_config
from adapters.slack.service import build_service
from bot.domain import Platform
from bot.platforms import ChatPlatform, PlatformModule

SLACK: PlatformModule[SlackConfig] = ChatPlatform(Platform.SLACK, load_config, build_service)
