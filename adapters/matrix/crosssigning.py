"""Cross-signing for the bot itself, which matrix-nio lacks.

Current Element clients share room keys only with devices their owner has verified, so on
its first start the bot makes master, self-signing and user-signing keys (Ed25519, with the
`cryptography` package), uploads them (user-interactive auth with its password), and signs
its own device with the self-signing key. The private keys are kept in the device vault,
encrypted (AES-GCM) under a key derived from the crypto store's pickle key. Later starts find
the file marked done and do nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from nio import AsyncClient

from adapters.matrix.vault import CROSS_SIGNING, DeviceVault

log = logging.getLogger(__name__)

USAGES = ("master", "self_signing", "user_signing")


def b64(data: bytes) -> str:
    """Matrix uses unpadded standard base64."""
    return base64.b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def signable(obj: dict[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in obj.items() if k not in ("signatures", "unsigned")})


def public_key(private: Ed25519PrivateKey) -> str:
    return b64(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def sign(obj: dict[str, Any], user_id: str, private: Ed25519PrivateKey) -> dict[str, Any]:
    signature = b64(private.sign(signable(obj)))
    signed = dict(obj)
    signatures = {u: dict(s) for u, s in obj.get("signatures", {}).items()}
    signatures.setdefault(user_id, {})[f"ed25519:{public_key(private)}"] = signature
    signed["signatures"] = signatures
    return signed


def verify(obj: dict[str, Any], user_id: str, key: str) -> bool:
    """Whether `obj` carries a valid signature by `user_id`'s Ed25519 key `key` (base64)."""
    signature = obj.get("signatures", {}).get(user_id, {}).get(f"ed25519:{key}")
    if not isinstance(signature, str):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(unb64(key)).verify(unb64(signature), signable(obj))
    except (InvalidSignature, ValueError):
        return False
    return True


def key_object(user_id: str, usage: str, private: Ed25519PrivateKey) -> dict[str, Any]:
    pub = public_key(private)
    return {"user_id": user_id, "usage": [usage], "keys": {f"ed25519:{pub}": pub}}


def only_key(obj: dict[str, Any]) -> str | None:
    keys = [v for k, v in obj.get("keys", {}).items() if k.startswith("ed25519:")]
    return keys[0] if len(keys) == 1 else None


class KeyFile:
    """The three private keys, sealed with AES-GCM; `done` once uploaded and device signed."""

    def __init__(self, vault: DeviceVault, pickle_key: str) -> None:
        self._vault = vault
        self._aead = AESGCM(
            hashlib.sha256(b"psp-bot cross-signing|" + pickle_key.encode()).digest()
        )

    def load(self) -> tuple[dict[str, Ed25519PrivateKey], bool] | None:
        raw = self._vault.read(CROSS_SIGNING)
        if raw is None:
            return None
        data = json.loads(self._aead.decrypt(raw[:12], raw[12:], b"cross-signing"))
        keys = {u: Ed25519PrivateKey.from_private_bytes(unb64(data[u])) for u in USAGES}
        return keys, bool(data["done"])

    def save(self, keys: dict[str, Ed25519PrivateKey], *, done: bool) -> None:
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        data: dict[str, Any] = {
            u: b64(k.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))
            for u, k in keys.items()
        }
        data["done"] = done
        nonce = os.urandom(12)
        sealed = nonce + self._aead.encrypt(nonce, canonical_json(data), b"cross-signing")
        self._vault.write(CROSS_SIGNING, sealed)


def own_master_key(vault: DeviceVault, pickle_key: str) -> str | None:
    """The public master key of the bot's own identity, once published (None before)."""
    loaded = KeyFile(vault, pickle_key).load()
    if loaded is None or not loaded[1]:
        return None
    return public_key(loaded[0]["master"])


async def api(
    client: AsyncClient, method: str, path: str, body: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any]]:
    """A raw client-server API call for what nio does not wrap."""
    answer = await client.send(
        method,
        path,
        json.dumps(body) if body is not None else None,
        {"Authorization": f"Bearer {client.access_token}", "Content-Type": "application/json"},
    )
    async with answer:
        data: dict[str, Any] = await answer.json(content_type=None)
        return answer.status, data


async def bootstrap(
    client: AsyncClient, *, vault: DeviceVault, pickle_key: str, password: str | None
) -> bool:
    """Make and publish the bot's cross-signing identity once. True when it is in place."""
    keyfile = KeyFile(vault, pickle_key)
    loaded = keyfile.load()
    if loaded is not None and loaded[1]:
        return True  # done on an earlier start: nothing more, ever
    if loaded is None:
        keys = {usage: Ed25519PrivateKey.generate() for usage in USAGES}
        keyfile.save(keys, done=False)  # kept before upload, so a crash cannot orphan them
    else:
        keys = loaded[0]
    user_id = client.user_id
    master = key_object(user_id, "master", keys["master"])
    body = {
        "master_key": master,
        "self_signing_key": sign(
            key_object(user_id, "self_signing", keys["self_signing"]), user_id, keys["master"]
        ),
        "user_signing_key": sign(
            key_object(user_id, "user_signing", keys["user_signing"]), user_id, keys["master"]
        ),
    }
    path = "/_matrix/client/v3/keys/device_signing/upload"
    status, answer = await api(client, "POST", path, body)
    if status == 401 and "session" in answer:
        if not password:
            log.warning("cross-signing needs the bot's password once (user-interactive auth)")
            return False
        body["auth"] = {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": user_id},
            "password": password,
            "session": answer["session"],
        }
        status, answer = await api(client, "POST", path, body)
    if status != 200:
        log.warning("cross-signing keys were refused: %s", answer.get("errcode", status))
        return False
    if not await sign_own_device(client, keys["self_signing"]):
        return False
    keyfile.save(keys, done=True)
    log.warning("published the bot's cross-signing identity")
    return True


async def sign_own_device(client: AsyncClient, self_signing: Ed25519PrivateKey) -> bool:
    user_id, device_id = client.user_id, client.device_id
    status, answer = await api(
        client, "POST", "/_matrix/client/v3/keys/query", {"device_keys": {user_id: [device_id]}}
    )
    device = answer.get("device_keys", {}).get(user_id, {}).get(device_id)
    if status != 200 or not isinstance(device, dict):
        log.warning("could not read the bot's own device keys")
        return False
    assert client.olm is not None
    # Sign only what is really ours: the device key the server returns must be our own.
    if (
        device.get("keys", {}).get(f"ed25519:{device_id}")
        != client.olm.account.identity_keys["ed25519"]
    ):
        log.warning("the server's copy of the bot's device key is not ours; not signing it")
        return False
    unsigned_device = {k: v for k, v in device.items() if k not in ("signatures", "unsigned")}
    signed = sign(unsigned_device, user_id, self_signing)
    status, answer = await api(
        client, "POST", "/_matrix/client/v3/keys/signatures/upload", {user_id: {device_id: signed}}
    )
    if status != 200 or answer.get("failures"):
        log.warning("the bot's device signature was refused")
        return False
    return True
