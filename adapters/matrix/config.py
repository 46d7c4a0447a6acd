"""The `[matrix]` section of the config, checked at start (one line per mistake)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.config import ConfigError, SectionReader, Settings

ENV_PASSWORD = "PSP_BOT_MATRIX_PASSWORD"
ENV_ACCESS_TOKEN = "PSP_BOT_MATRIX_ACCESS_TOKEN"
ENV_PICKLE_KEY = "PSP_BOT_MATRIX_PICKLE_KEY"

# How the bot decides which devices of a group's members get room keys.
TRUST_CROSS_SIGNED = "cross-signed"  # default: device signed by its owner's self-signing key
TRUST_DEVICE_TOFU = "device-tofu"  # homeservers without cross-signing: first-seen devices

# Where the device (credentials, cross-signing keys, nio's crypto store) is kept.
CRYPTO_STATE_FILES = "files"  # default: store_dir on this host
CRYPTO_STATE_DATABASE = "database"  # PostgreSQL: a standby process can take the device over


@dataclass(frozen=True)
class MatrixConfig:
    homeserver: str
    user_id: str
    device_name: str
    store_dir: Path
    password: str | None
    access_token: str | None
    pickle_key: str
    allow_unencrypted_rooms: bool = False
    invite_allowlist_users: tuple[str, ...] = ()
    invite_allowlist_servers: tuple[str, ...] = ()
    trust: str = TRUST_CROSS_SIGNED
    undecryptable_wait_seconds: int = 60
    sync_timeout_ms: int = 30_000
    max_send_attempts: int = 5
    crypto_state: str = CRYPTO_STATE_FILES
    database_url: str | None = None  # with crypto_state = "database"
    # How often a standby tries to take the device over, and the active process checks it
    # still holds it (seconds).
    takeover_check_seconds: int = 2

    @property
    def allow_insecure_rooms(self) -> bool:
        """What the composition root reads to let the core accept unencrypted rooms."""
        return self.allow_unencrypted_rooms

    @property
    def server_name(self) -> str:
        return self.user_id.partition(":")[2]

    def invite_allowed(self, inviter: str) -> bool:
        server = inviter.partition(":")[2]
        return inviter in self.invite_allowlist_users or server in self.invite_allowlist_servers


def _user_id(reader: SectionReader, key: str, value: str) -> str:
    localpart, sep, server = value.partition(":")
    if not localpart.startswith("@") or not sep or not server or len(localpart) < 2:
        raise ConfigError(f"config [{reader.section}] {key}: {value!r} is not @name:server")
    return value


def load_config(settings: Settings) -> MatrixConfig:
    reader = SectionReader("matrix", settings.sections.get("matrix"))
    homeserver = reader.text("homeserver", "")
    if not homeserver.startswith(("https://", "http://")):
        raise ConfigError("config [matrix] homeserver: must be an http(s):// URL")
    user_id = _user_id(reader, "user_id", reader.text("user_id", ""))
    device_name = reader.text("device_name", "psp-bot")
    store_dir = Path(reader.text("store_dir", str(settings.data_dir / "matrix-store")))
    password = reader.secret("password", ENV_PASSWORD)
    access_token = reader.secret("access_token", ENV_ACCESS_TOKEN)
    pickle_key = reader.secret("pickle_key", ENV_PICKLE_KEY, required=True)
    assert pickle_key is not None
    if len(pickle_key) < 16:
        raise ConfigError(f"config [matrix] pickle_key: {ENV_PICKLE_KEY} must be 16+ characters")
    config = MatrixConfig(
        homeserver=homeserver.rstrip("/"),
        user_id=user_id,
        device_name=device_name,
        store_dir=store_dir,
        password=password,
        access_token=access_token,
        pickle_key=pickle_key,
        allow_unencrypted_rooms=reader.flag("allow_unencrypted_rooms", False),
        invite_allowlist_users=tuple(
            _user_id(reader, "invite_allowlist_users", u)
            for u in reader.text_list("invite_allowlist_users")
        ),
        invite_allowlist_servers=reader.text_list("invite_allowlist_servers"),
        trust=reader.choice("trust", TRUST_CROSS_SIGNED, (TRUST_CROSS_SIGNED, TRUST_DEVICE_TOFU)),
        undecryptable_wait_seconds=reader.integer(
            "undecryptable_wait_seconds", 60, minimum=1, maximum=3600
        ),
        sync_timeout_ms=reader.integer("sync_timeout_ms", 30_000, minimum=0, maximum=120_000),
        max_send_attempts=reader.integer("max_send_attempts", 5, minimum=1, maximum=100),
        crypto_state=reader.choice(
            "crypto_state", CRYPTO_STATE_FILES, (CRYPTO_STATE_FILES, CRYPTO_STATE_DATABASE)
        ),
        database_url=settings.effective_database_url,
        takeover_check_seconds=reader.integer("takeover_check_seconds", 2, minimum=1, maximum=60),
    )
    reader.done()
    if config.crypto_state == CRYPTO_STATE_DATABASE:
        if not settings.effective_database_url.startswith(("postgresql", "postgres:")):
            raise ConfigError(
                'config [matrix] crypto_state: "database" needs PostgreSQL ([database] url)'
            )
        return config  # whether a device exists is known only once the database is open
    if not (password or access_token) and not (store_dir / "credentials.json").exists():
        raise ConfigError(
            f"config [matrix] password: the first start needs {ENV_PASSWORD} or {ENV_ACCESS_TOKEN}"
        )
    return config
