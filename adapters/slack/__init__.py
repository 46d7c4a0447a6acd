"""psp-bot as a Slack app (slack-bolt, async): Socket Mode by default, HTTP mode on request.
`psp-bot run` uses it through `adapters.slack.platform.SLACK`."""

from adapters.slack.bolt_app import SlackAdapter
from adapters.slack.config import SlackConfig, load_config
from adapters.slack.service import SlackService, build_service, make_api

__all__ = [
    "SlackAdapter",
    "SlackConfig",
    "SlackService",
    "build_service",
    "load_config",
    "make_api",
]
