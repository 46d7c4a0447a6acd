"""One device for the bot's whole life: log in once, keep the device id, access token and
crypto store in the store directory, and restore them on every start.

Never restore an old crypto store under the same device id (its one-time keys and ratchets
would be replayed): a store without credentials, or credentials without their store, stop the
bot with a message telling the operator how to start over as a new device.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse
from nio import AsyncClient, AsyncClientConfig, ErrorResponse, LoginError, WhoamiError

from adapters.matrix.config import MatrixConfig

log = logging.getLogger(__name__)

CREDENTIALS = "credentials.json"


class SessionError(Exception):
    """The bot cannot log in or its store is inconsistent; one line for the operator."""


MAX_RETRY_AFTER_S = 3600


def retry_after_ms(header: str | None) -> int | None:
    """An HTTP Retry-After header (seconds or a date) in milliseconds, or None."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        seconds = float(header)
    else:
        try:
            seconds = (parsedate_to_datetime(header) - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError):
            return None
    return int(min(max(seconds, 0.0), MAX_RETRY_AFTER_S) * 1000)


class BotClient(AsyncClient):  # type: ignore[misc]  # nio is untyped
    """nio's client, also honouring a `Retry-After` header on 429 answers (a proxy in front
    of the homeserver may send only that); nio itself reads only `retry_after_ms`."""

    async def create_matrix_response(
        self,
        response_class: type,
        transport_response: ClientResponse,
        data: tuple[Any, ...] | None = None,
        save_to: Any = None,
    ) -> Any:
        answer = await super().create_matrix_response(
            response_class, transport_response, data, save_to
        )
        if (
            transport_response.status == 429
            and isinstance(answer, ErrorResponse)
            and not answer.retry_after_ms
        ):
            answer.retry_after_ms = retry_after_ms(transport_response.headers.get("Retry-After"))
        return answer


def client_config(config: MatrixConfig) -> AsyncClientConfig:
    return AsyncClientConfig(
        encryption_enabled=True,
        # The sync checkpoint lives in the database and moves only after a batch is handled.
        store_sync_tokens=False,
        pickle_key=config.pickle_key,
        # Rate limits: wait what the server asks (retry_after_ms), a finite number of times;
        # nio counts retries, the config counts attempts.
        max_limit_exceeded=config.max_send_attempts - 1,
        # Network failures of a single request: back off up to 60 s, then give up on it.
        max_timeouts=config.max_send_attempts - 1,
        backoff_factor=0.5,
        max_timeout_retry_wait_time=60,
        request_timeout=60,
    )


def _store_file(store_dir: Path, user_id: str, device_id: str) -> Path:
    # nio's SqliteStore names its file "<user_id>_<device_id>.db" when no store_name is set.
    return store_dir / f"{user_id}_{device_id}.db"


def _write_credentials(store_dir: Path, data: dict[str, str]) -> None:
    path = store_dir / CREDENTIALS
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


def read_credentials(store_dir: Path) -> dict[str, str] | None:
    path = store_dir / CREDENTIALS
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if not all(isinstance(data.get(k), str) for k in ("user_id", "device_id", "access_token")):
        raise SessionError(f"{path} is damaged; remove the store directory to start over")
    return {k: str(v) for k, v in data.items()}


async def open_client(config: MatrixConfig) -> AsyncClient:
    """A logged-in client with its crypto store loaded and its device keys uploaded."""
    store_dir = config.store_dir
    store_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    credentials = read_credentials(store_dir)
    stores = sorted(store_dir.glob("*.db"))
    if credentials is not None:
        if credentials["user_id"] != config.user_id:
            raise SessionError(
                f"the store in {store_dir} belongs to {credentials['user_id']}, "
                f"not {config.user_id}; use another store_dir"
            )
        device_id = credentials["device_id"]
        if not _store_file(store_dir, config.user_id, device_id).exists():
            raise SessionError(
                f"the crypto store of device {device_id} is missing from {store_dir}; never "
                "restore an old one: remove credentials.json to start as a new device"
            )
        client = BotClient(
            config.homeserver,
            config.user_id,
            device_id=device_id,
            store_path=str(store_dir),
            config=client_config(config),
        )
        client.restore_login(config.user_id, device_id, credentials["access_token"])
    else:
        if stores:
            raise SessionError(
                f"{store_dir} holds a crypto store but no credentials; it belongs to an "
                "earlier device: move it away to start as a new device"
            )
        client = BotClient(
            config.homeserver,
            config.user_id,
            store_path=str(store_dir),
            config=client_config(config),
        )
        if config.access_token:
            client.access_token = config.access_token
            who = await client.whoami()
            if isinstance(who, WhoamiError) or not who.device_id:
                await client.close()
                raise SessionError("the access token was refused by the homeserver")
            if who.user_id != config.user_id:
                await client.close()
                raise SessionError(f"the access token belongs to {who.user_id}, not the user_id")
            client.restore_login(who.user_id, who.device_id, config.access_token)
        else:
            assert config.password is not None
            login = await client.login(config.password, device_name=config.device_name)
            if isinstance(login, LoginError):
                await client.close()
                raise SessionError(f"login refused by the homeserver: {login.status_code}")
        assert client.device_id is not None
        _write_credentials(
            store_dir,
            {
                "user_id": client.user_id,
                "device_id": client.device_id,
                "access_token": client.access_token,
            },
        )
        log.warning("logged in to Matrix as a new device %s", client.device_id)
    if client.should_upload_keys:
        await client.keys_upload()
    return client
