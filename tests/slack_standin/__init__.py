"""A local stand-in for Slack, requests signed exactly as Slack signs them, and the Slack
adapter under test in HTTP mode. Test modules load the fixtures with
`pytest_plugins = ["tests.slack_standin"]`."""

from tests.slack_standin.payloads import (
    alert_blocks_text,
    app_home_opened,
    app_mention,
    block_action,
    buttons,
    command_body,
    interactive_body,
    signed_headers,
    view_submission,
)
from tests.slack_standin.rig import PRIVATE, PUBLIC, SlackRig, rig, standin, start_rig, stop_rig
from tests.slack_standin.server import BOT_USER, SECRET, TEAM, Call, SlackStandIn

__all__ = [
    "BOT_USER",
    "PRIVATE",
    "PUBLIC",
    "SECRET",
    "TEAM",
    "Call",
    "SlackRig",
    "SlackStandIn",
    "alert_blocks_text",
    "app_home_opened",
    "app_mention",
    "block_action",
    "buttons",
    "command_body",
    "interactive_body",
    "rig",
    "signed_headers",
    "standin",
    "start_rig",
    "stop_rig",
    "view_submission",
]
