"""One device for the bot's whole life: log in once, keep the device id, access token and
crypto store in its vault (the store directory, or PostgreSQL: adapters/matrix/vault.py), and
restore them on every start.

Never restore an old crypto store under the same device id (its one-time keys and ratchets
would be replayed): a store without credentials, or credentials without their store, stop the
bot with a message telling the operator how to start over as a new device.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
from aiohttp import ClientResponse
from nio import AsyncClient, AsyncClientConfig, ErrorResponse, LoginError, WhoamiError

from adapters.matrix.config import MatrixConfig
from adapters.matrix.vault import CREDENTIALS, DeviceVault

log = logging.getLogger(__name__)


class SessionError(Exception):
    """The bot cannot log in or its store is inconsistent; one line for the operator."""


MAX_RETRY_AFTER_S = 3600
# What a request to the homeserver raises when the network or the server is away.
NETWORK_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError)


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


def _write_credentials(vault: DeviceVault, data: dict[str, str]) -> None:
    vault.write(CREDENTIALS, json.dumps(data).encode("utf-8"))


def read_credentials(vault: DeviceVault) -> dict[str, str] | None:
    raw = vault.read(CREDENTIALS)
    if raw is None:
        return None
    data = json.loads(raw.decode("utf-8"))
    if not all(isinstance(data.get(k), str) for k in ("user_id", "device_id", "access_token")):
        raise SessionError(f"the bot's Matrix credentials ({vault.kind}) are damaged")
    return {k: str(v) for k, v in data.items()}


def _client(config: MatrixConfig, vault: DeviceVault, device_id: str | None = None) -> BotClient:
    settings = client_config(config)
    store = vault.store_class()
    if store is not None:
        settings = dataclasses.replace(settings, store=store)
    return BotClient(
        config.homeserver,
        config.user_id,
        device_id=device_id,
        store_path=str(config.store_dir),
        config=settings,
    )


async def open_client(config: MatrixConfig, vault: DeviceVault) -> AsyncClient:
    """A logged-in client with its crypto store loaded and its device keys uploaded."""
    config.store_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    credentials = read_credentials(vault)
    where = "the database" if vault.kind == "database" else str(config.store_dir)
    if credentials is not None:
        if credentials["user_id"] != config.user_id:
            raise SessionError(
                f"the device in {where} belongs to {credentials['user_id']}, "
                f"not {config.user_id}; use another store"
            )
        device_id = credentials["device_id"]
        if not vault.has_store(device_id):
            raise SessionError(
                f"the crypto store of device {device_id} is missing from {where}; never "
                "restore an old one: remove the credentials to start as a new device"
            )
        client = _client(config, vault, device_id)
        client.restore_login(config.user_id, device_id, credentials["access_token"])
    else:
        if vault.has_any_store():
            raise SessionError(
                f"{where} holds a crypto store but no credentials; it belongs to an "
                "earlier device: move it away to start as a new device"
            )
        client = _client(config, vault)
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
            if not config.password:
                await client.close()
                raise SessionError(
                    "the first start of a device needs PSP_BOT_MATRIX_PASSWORD or "
                    "PSP_BOT_MATRIX_ACCESS_TOKEN"
                )
            login = await client.login(config.password, device_name=config.device_name)
            if isinstance(login, LoginError):
                await client.close()
                raise SessionError(f"login refused by the homeserver: {login.status_code}")
        assert client.device_id is not None
        _write_credentials(
            vault,
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
