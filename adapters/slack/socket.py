"""Socket Mode: no public URL; Slack pushes envelopes over a websocket opened with the
app-level token. slack_sdk's client reconnects by itself (a fresh `apps.connections.open`)
after a close or failed pings; an envelope Slack did not see acknowledged comes again and is
dropped by the adapter's de-duplication, so nothing is lost or done twice."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from adapters.slack.bolt_app import SlackAdapter
from adapters.slack.library_logs import quiet_library_logs


def make_socket_handler(
    adapter: SlackAdapter, *, ping_interval: float = 10
) -> AsyncSocketModeHandler:
    token = adapter.config.app_token
    if not token:
        raise ValueError("Socket Mode needs the app-level token")
    return AsyncSocketModeHandler(
        adapter.app,
        app_token=token,
        logger=quiet_library_logs(),
        web_client=adapter.app.client,
        ping_interval=ping_interval,
    )
