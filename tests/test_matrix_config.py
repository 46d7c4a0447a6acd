"""The [matrix] section and the rendering of replies (no homeserver needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.matrix import load_config
from adapters.matrix.config import ENV_PASSWORD, ENV_PICKLE_KEY
from adapters.matrix.mentions import is_command
from adapters.matrix.rendering import render
from bot.config import ConfigError, parse_settings
from bot.domain import Platform
from bot.messages import Action, Mention, Reply, ReplyKind, RoomRef

GOOD = {"homeserver": "https://matrix.example.org", "user_id": "@psp:example.org"}


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_PASSWORD, "pw")
    monkeypatch.setenv(ENV_PICKLE_KEY, "a-long-enough-pickle-key")


def config_of(table: dict[str, object], tmp_path: Path) -> object:
    data = {"bot": {"data_dir": str(tmp_path)}, "matrix": table}
    return load_config(parse_settings(data))


def test_defaults_refuse_unencrypted_rooms_and_require_cross_signing(tmp_path: Path) -> None:
    config = load_config(parse_settings({"bot": {"data_dir": str(tmp_path)}, "matrix": GOOD}))
    assert config.allow_insecure_rooms is False
    assert config.trust == "cross-signed"
    assert config.store_dir == tmp_path / "matrix-store"
    assert config.invite_allowed("@anyone:example.org") is False


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({**GOOD, "homeserver": "matrix.example.org"}, "homeserver: must be an http(s)"),
        ({**GOOD, "user_id": "psp"}, "user_id: 'psp' is not @name:server"),
        (
            {**GOOD, "password": "hunter2"},
            f"secrets are not read from the config; set {ENV_PASSWORD}",
        ),
        ({**GOOD, "trust": "everyone"}, "trust: must be one of"),
        ({**GOOD, "allow_unencrypted_room": True}, "allow_unencrypted_room: unknown key"),
        ({**GOOD, "invite_allowlist_users": ["bob"]}, "invite_allowlist_users: 'bob'"),
        ({**GOOD, "crypto_state": "cloud"}, "crypto_state: must be one of files, database"),
        # The device in the database is for several processes: SQLite serves one.
        ({**GOOD, "crypto_state": "database"}, 'crypto_state: "database" needs PostgreSQL'),
        ({**GOOD, "takeover_check_seconds": 0}, "takeover_check_seconds"),
    ],
)
def test_bad_config_is_one_line_naming_the_key(
    table: dict[str, object], message: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match=r"^config \[matrix\] ") as error:
        config_of(table, tmp_path)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_pickle_key_is_required_and_never_the_library_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(ENV_PICKLE_KEY)
    with pytest.raises(ConfigError, match=ENV_PICKLE_KEY):
        config_of(GOOD, tmp_path)
    monkeypatch.setenv(ENV_PICKLE_KEY, "short")
    with pytest.raises(ConfigError, match="16"):
        config_of(GOOD, tmp_path)


def test_allowlists(tmp_path: Path) -> None:
    config = load_config(
        parse_settings(
            {
                "bot": {"data_dir": str(tmp_path)},
                "matrix": {
                    **GOOD,
                    "invite_allowlist_users": ["@lead:other.org"],
                    "invite_allowlist_servers": ["politi.dk"],
                },
            }
        )
    )
    assert config.invite_allowed("@lead:other.org")
    assert config.invite_allowed("@anna:politi.dk")
    assert not config.invite_allowed("@eve:evil.example")


def test_reply_is_an_escaped_notice_with_pills_and_mentions() -> None:
    reply = Reply(
        room=RoomRef(Platform.MATRIX, "!r:x"),
        text="<b>Case</b> & more",
        kind=ReplyKind.ALERT,
        mentions=(Mention("@bo:x", "Bo <3"),),
        actions=(Action("ack", "Acknowledge", "ack PSP-2026-0001"),),
        in_reply_to="$cmd",
        message_key="alert:PSP-2026-0001",
    )
    content = render(reply)
    assert content["msgtype"] == "m.notice"
    assert "<b>Case</b>" not in content["formatted_body"]
    assert "&lt;b&gt;Case&lt;/b&gt; &amp; more" in content["formatted_body"]
    assert '<a href="https://matrix.to/#/@bo:x">Bo &lt;3</a>' in content["formatted_body"]
    assert content["m.mentions"] == {"user_ids": ["@bo:x"]}
    assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": "$cmd"}}
    assert "!psp ack PSP-2026-0001" in content["body"]


def test_plain_answers_ping_nobody() -> None:
    content = render(Reply(room=RoomRef(Platform.MATRIX, "!r:x"), text="ok"))
    assert content["m.mentions"] == {"user_ids": []}
    assert "m.relates_to" not in content


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("!psp help", True),
        ("  !PSP list", True),
        ("!psp", True),
        ("!pspx", False),
        ("psp help", False),
    ],
)
def test_commands_start_with_the_prefix(body: str, expected: bool) -> None:
    assert is_command(body) is expected


async def test_an_old_crypto_store_is_never_reused_under_another_device(tmp_path: Path) -> None:
    from adapters.matrix.session import SessionError, open_client
    from adapters.matrix.vault import open_vault

    config = load_config(parse_settings({"bot": {"data_dir": str(tmp_path)}, "matrix": GOOD}))
    store = config.store_dir
    store.mkdir(parents=True)
    # A crypto store without the credentials of its device: refused, not silently re-keyed.
    (store / "@psp:example.org_OLDDEVICE.db").write_bytes(b"")
    with pytest.raises(SessionError, match="belongs to an earlier device"):
        await open_client(config, open_vault(config))
    # Credentials whose crypto store is missing (e.g. a partial restore): refused too.
    (store / "@psp:example.org_OLDDEVICE.db").unlink()
    (store / "credentials.json").write_text(
        '{"user_id": "@psp:example.org", "device_id": "NEWDEVICE", "access_token": "t"}'
    )
    with pytest.raises(SessionError, match="never restore an old one"):
        await open_client(config, open_vault(config))


async def test_a_device_in_the_database_is_never_reused_half(
    tmp_path: Path, pg_database: str
) -> None:
    """The same refusals with the device in PostgreSQL: nio's store of an earlier device
    without its credentials, and credentials without their store."""
    from nio.crypto import OlmAccount

    from adapters.matrix.session import SessionError, open_client
    from adapters.matrix.vault import CREDENTIALS, open_vault

    settings = parse_settings(
        {
            "bot": {"data_dir": str(tmp_path)},
            "database": {"url": pg_database},
            "matrix": {**GOOD, "crypto_state": "database"},
        }
    )
    config = load_config(settings)
    vault = open_vault(config)
    try:
        old = vault.store_class()(config.user_id, "OLDDEVICE", str(tmp_path), config.pickle_key)
        old.save_account(OlmAccount())
        with pytest.raises(SessionError, match="belongs to an earlier device"):
            await open_client(config, vault)
        vault.write(
            CREDENTIALS,
            b'{"user_id": "@psp:example.org", "device_id": "NEWDEVICE", "access_token": "t"}',
        )
        with pytest.raises(SessionError, match="never restore an old one"):
            await open_client(config, vault)
        # Sealed: the access token is not in the database as text.
        assert b"NEWDEVICE" not in bytes(
            old.database.execute_sql("SELECT sealed FROM device_secret").fetchone()[0]
        )
    finally:
        vault.close()
