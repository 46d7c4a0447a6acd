"""Config: typed settings, one clear line for every mistake, secrets only from outside."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, SectionReader, load_settings, parse_settings
from bot.domain import Platform

ROOT = Path(__file__).resolve().parents[1]


def test_example_config_is_valid() -> None:
    settings = load_settings(ROOT / "config.example.toml")
    assert settings.locale == "da"
    assert (Platform.MATRIX, "@admin:example.org") in settings.admins


def test_defaults_use_embedded_sqlite() -> None:
    settings = parse_settings({})
    assert settings.effective_database_url == "sqlite:///data/psp-bot.sqlite3"
    assert settings.shutdown_grace_seconds == 10
    assert settings.database_options == {}  # storage/engine.py's defaults


def test_database_pool_and_lock_wait_are_the_engines_options() -> None:
    settings = parse_settings(
        {"database": {"pool_size": 4, "max_overflow": 0, "lock_wait_seconds": 2}}
    )
    assert settings.database_options == {"pool_size": 4, "max_overflow": 0, "lock_wait": 2}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"bot": {"locale": "fr"}}, "config [bot] locale: must be one of da, en, not 'fr'"),
        ({"bot": {"admins": "root"}}, "config [bot] admins: must be a list of text strings"),
        ({"bot": {"admins": ["irc:me"]}}, "must be platform:user"),
        ({"bot": {"colour": "red"}}, "config [bot] colour: unknown key"),
        ({"database": {"url": "mysql://x"}}, "config [database] url: must start with"),
        ({"database": {"url": 5}}, "config [database] url: must be a text string, not int"),
        ({"wibble": {}}, "config [wibble]: unknown section"),
        ({"database": {"pool_size": 0}}, "config [database] pool_size: must be between 1 and"),
        ({"database": {"max_overflow": -1}}, "config [database] max_overflow: must be between"),
        (
            {"database": {"lock_wait_seconds": 0.5}},
            "config [database] lock_wait_seconds: must be a whole number",
        ),
        ({"database": {"pool": 5}}, "config [database] pool: unknown key"),
        (
            {"bot": {"shutdown_grace_seconds": -1}},
            "config [bot] shutdown_grace_seconds: must be between 0 and 600",
        ),
        (
            {"bot": {"shutdown_grace_seconds": "10s"}},
            "config [bot] shutdown_grace_seconds: must be a whole number",
        ),
    ],
)
def test_bad_config_names_the_key(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=None) as info:
        parse_settings(data)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_secret_only_from_environment_or_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match="secrets are not read from the config"):
        SectionReader("slack", {"bot_token": "xoxb-1"}).secret("bot_token", "PSP_BOT_X")
    secret_file = tmp_path / "token"
    secret_file.write_text("from-file\n")
    reader = SectionReader("slack", {"bot_token_file": str(secret_file)})
    assert reader.secret("bot_token", "PSP_BOT_X") == "from-file"
    monkeypatch.setenv("PSP_BOT_X", "from-env")
    assert reader.secret("bot_token", "PSP_BOT_X") == "from-env"
    with pytest.raises(ConfigError, match="is required: set PSP_BOT_Y"):
        SectionReader("slack", {}).secret("signing_secret", "PSP_BOT_Y", required=True)


def test_bad_config_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[bot]\nlocale = "xx"\n')
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(config), "console"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "psp-bot: config [bot] locale: must be one of da, en, not 'xx'"
    ]


def test_logged_tracebacks_withhold_exception_messages() -> None:
    import logging

    from bot.cli import WithheldMessageFormatter

    secret = "".join(["Borger Hem", "melig 0101", "90-1234"])  # not in the source line
    try:
        raise ValueError(secret)
    except ValueError:
        record = logging.LogRecord(
            "bot", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
        )
    text = WithheldMessageFormatter("%(message)s").format(record)
    assert "ValueError (message withheld)" in text and "test_config.py" in text
    assert "Hemmelig" not in text and "010190" not in text
