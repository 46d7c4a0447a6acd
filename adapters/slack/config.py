"""The `[slack]` config section. Tokens and the signing secret come from the environment (or
files named in the config), never from the committed file."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.config import ConfigError, SectionReader, Settings

SLACK_API = "https://slack.com/api/"
MODES = ("socket", "http")


@dataclass(frozen=True)
class SlackConfig:
    bot_token: str
    mode: str = "socket"
    signing_secret: str | None = None
    app_token: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = 3000
    http_path: str = "/slack/events"
    # Workspaces (team ids, "T…") whose requests are served; every other team is refused.
    team_allowlist: frozenset[str] = field(default_factory=frozenset)
    allow_public_channels: bool = False
    api_base_url: str = SLACK_API
    locale: str = "da"

    @property
    def allow_insecure_rooms(self) -> bool:
        """Public channels are Slack's "insecure rooms": cases may be bound there only when the
        workspace admin has said so."""
        return self.allow_public_channels


def load_config(settings: Settings) -> SlackConfig:
    reader = SectionReader("slack", settings.sections.get("slack"))
    mode = reader.choice("mode", "socket", MODES)
    host = reader.text("http_host", "127.0.0.1")
    port = reader.integer("http_port", 3000, minimum=1, maximum=65535)
    path = reader.text("http_path", "/slack/events")
    if not path.startswith("/"):
        raise ConfigError("config [slack] http_path: must start with /")
    teams = reader.text_list("team_allowlist")
    for team in teams:
        if not (team.startswith(("T", "E")) and team[1:].isalnum() and team.isupper()):
            raise ConfigError(f"config [slack] team_allowlist: {team!r} is not a Slack team id")
    if not teams:
        raise ConfigError(
            "config [slack] team_allowlist: is required: list the workspace team ids (T…)"
        )
    allow_public = reader.flag("allow_public_channels", False)
    base_url = reader.text("api_base_url", SLACK_API)
    if not base_url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ConfigError("config [slack] api_base_url: must be https:// (or loopback http)")
    if not base_url.endswith("/"):
        base_url += "/"
    bot_token = reader.secret("bot_token", "PSP_BOT_SLACK_BOT_TOKEN", required=True)
    signing_secret = reader.secret(
        "signing_secret", "PSP_BOT_SLACK_SIGNING_SECRET", required=mode == "http"
    )
    app_token = reader.secret("app_token", "PSP_BOT_SLACK_APP_TOKEN", required=mode == "socket")
    reader.done()
    assert bot_token is not None
    return SlackConfig(
        bot_token=bot_token,
        mode=mode,
        signing_secret=signing_secret,
        app_token=app_token,
        http_host=host,
        http_port=port,
        http_path=path,
        team_allowlist=frozenset(teams),
        allow_public_channels=allow_public,
        api_base_url=base_url,
        locale=settings.locale,
    )
