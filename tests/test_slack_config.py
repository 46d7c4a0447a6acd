"""The `[slack]` section: secrets only from the environment or files, one clear line per
mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.slack import load_config
from bot.config import ConfigError, parse_settings

# No database, no network: part of the unit tier.
pytestmark = pytest.mark.unit


def settings(**slack: object) -> object:
    return parse_settings({"slack": {"team_allowlist": ["T0PSP"], **slack}})


@pytest.fixture(autouse=True)
def tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PSP_BOT_SLACK_BOT_TOKEN", "xoxb-env")
    monkeypatch.setenv("PSP_BOT_SLACK_APP_TOKEN", "xapp-env")
    monkeypatch.delenv("PSP_BOT_SLACK_SIGNING_SECRET", raising=False)


def test_socket_mode_is_the_default() -> None:
    config = load_config(settings())  # type: ignore[arg-type]
    assert config.mode == "socket"
    assert config.bot_token == "xoxb-env" and config.app_token == "xapp-env"
    assert config.allow_insecure_rooms is False
    assert config.api_base_url == "https://slack.com/api/"


def test_http_mode_needs_the_signing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"\[slack\] signing_secret: is required"):
        load_config(settings(mode="http"))  # type: ignore[arg-type]
    monkeypatch.setenv("PSP_BOT_SLACK_SIGNING_SECRET", "s3cret")
    config = load_config(settings(mode="http", http_port=8080, allow_public_channels=True))  # type: ignore[arg-type]
    assert config.signing_secret == "s3cret" and config.http_port == 8080
    assert config.allow_insecure_rooms is True


def test_a_secret_in_the_file_is_refused() -> None:
    with pytest.raises(ConfigError, match="secrets are not read from the config"):
        load_config(settings(bot_token="xoxb-in-git"))  # type: ignore[arg-type]


def test_a_secret_from_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PSP_BOT_SLACK_BOT_TOKEN")
    secret = tmp_path / "token"
    secret.write_text("xoxb-file\n")
    config = load_config(settings(bot_token_file=str(secret)))  # type: ignore[arg-type]
    assert config.bot_token == "xoxb-file"


@pytest.mark.parametrize(
    ("slack", "message"),
    [
        ({"team_allowlist": []}, "team_allowlist: is required"),
        ({"team_allowlist": ["acme"]}, "is not a Slack team id"),
        ({"mode": "webhook"}, "mode: must be one of socket, http"),
        ({"http_path": "events"}, "http_path: must start with /"),
        ({"api_base_url": "http://evil.example/api/"}, "api_base_url: must be https://"),
        ({"teams": ["T1"]}, "teams: unknown key"),
    ],
)
def test_mistakes_are_one_line(slack: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(settings(**slack))  # type: ignore[arg-type]


def test_the_manifest_asks_for_the_command_and_the_least_scopes() -> None:
    import yaml  # type: ignore[import-untyped]  # PyYAML comes with matrix-synapse

    manifest = yaml.safe_load(
        (Path(__file__).parent.parent / "adapters/slack/manifest.yaml").read_text()
    )
    info = manifest["display_information"]
    assert 174 <= len(info["long_description"]) <= 4000  # Slack refuses shorter or longer
    assert len(info["description"]) <= 140 and len(info["name"]) <= 35
    commands = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands] == ["/psp"]
    assert commands[0]["should_escape"] is True  # mentions arrive as <@U…> ids
    shortcuts = manifest["features"]["shortcuts"]
    assert [(s["type"], s["callback_id"]) for s in shortcuts] == [("message", "psp.flag_message")]
    assert all(len(s["name"]) <= 24 and len(s["description"]) <= 80 for s in shortcuts)
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "commands",
        "chat:write",
        "app_mentions:read",
        "channels:read",
        "groups:read",
        "files:write",
        "files:read",
    }
    assert "user" not in manifest["oauth_config"]["scopes"]  # no user token, ever
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["bot_events"] == ["app_mention", "app_home_opened"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
