"""Which devices get the room keys of the bot's messages.

Default policy (`trust = "cross-signed"`): a member's device receives keys only when it is
signed by its owner's self-signing key, which is signed by the owner's master key. The master
key is pinned on first use; when a pinned master key changes, the bot shares nothing with that
member any more and tells the room once (an administrator must clear the pin). The bot's own
identity is never pinned and never warned about: its own key file says what it is (after a
"start over" it is new, by the operator's hand), and its other devices get keys only when
signed under exactly that identity. Relaxed
policy (`trust = "device-tofu"`) for homeservers without cross-signing: every device seen is
accepted, as a key change of a known device is already refused by the crypto store.
"""

from __future__ import annotations

import logging
from typing import Any

from nio import AsyncClient

import adapters.matrix.crosssigning as xs
from adapters.matrix.config import TRUST_DEVICE_TOFU, MatrixConfig
from adapters.matrix.vault import DeviceVault
from bot.domain import Platform
from bot.i18n import translate
from bot.messages import Reply, ReplyKind, RoomRef
from bot.runtime import Router

log = logging.getLogger(__name__)

PIN_STATE = "matrix:master-key:"  # + user id -> pinned master key (base64)
PIN_WARNED = "matrix:master-key-warned:"  # + user id + new key -> room was told
OWN_DEVICE = "matrix:device:"  # + the bot's user id -> the device id it runs as


class TrustPolicy:
    def __init__(
        self,
        client: AsyncClient,
        config: MatrixConfig,
        router: Router,
        *,
        locale: str,
        vault: DeviceVault,
    ) -> None:
        self._client = client
        self._vault = vault
        self._config = config
        self._router = router
        self._locale = locale
        # Per user: the set of device ids signed by a valid, pinned identity (cleared when the
        # sync says their device list changed).
        self._signed: dict[str, frozenset[str]] = {}
        self.cross_signed = False
        self._own_master: str | None = None

    async def bootstrap_cross_signing(self) -> None:
        self.cross_signed = await xs.bootstrap(
            self._client,
            vault=self._vault,
            pickle_key=self._config.pickle_key,
            password=self._config.password,
        )
        if self.cross_signed:
            self._own_master = xs.own_master_key(self._vault, self._config.pickle_key)

    def forget(self, users: list[str]) -> None:
        for user in users:
            self._signed.pop(user, None)

    async def prepare_room(self, room_id: str) -> None:
        """Mark every member device verified or blacklisted before an encrypted send, so nio
        shares the room key with exactly the trusted ones (and rotates it when that changes)."""
        client = self._client
        room = client.rooms.get(room_id)
        if room is None:
            return
        if not room.members_synced:
            await client.joined_members(room_id)
        if client.should_query_keys:
            await client.keys_query()
        # The bot's own other devices (if any) are judged like everyone else's.
        users = sorted(set(room.users) | {client.user_id})
        if self._config.trust == TRUST_DEVICE_TOFU:
            signed = None
        else:
            await self._load_identities([u for u in users if u not in self._signed], room_id)
            signed = self._signed
        for user in users:
            for device in client.device_store.active_user_devices(user):
                if device.id == client.device_id:
                    continue
                trusted = signed is None or device.id in signed.get(user, frozenset())
                if trusted and not device.verified:
                    if device.blacklisted:
                        client.unblacklist_device(device)
                    client.verify_device(device)
                elif not trusted and not device.blacklisted:
                    if device.verified:
                        client.unverify_device(device)
                    client.blacklist_device(device)

    async def _load_identities(self, users: list[str], room_id: str) -> None:
        if not users:
            return
        status, answer = await xs.api(
            self._client,
            "POST",
            "/_matrix/client/v3/keys/query",
            {"device_keys": {u: [] for u in users}},
        )
        if status != 200:
            log.warning("keys/query failed (%s); no new devices trusted this time", status)
            return
        for user in users:
            self._signed[user] = await self._signed_devices(user, answer, room_id)

    async def _signed_devices(
        self, user: str, answer: dict[str, Any], room_id: str
    ) -> frozenset[str]:
        master = answer.get("master_keys", {}).get(user)
        ssk = answer.get("self_signing_keys", {}).get(user)
        if not isinstance(master, dict) or not isinstance(ssk, dict):
            return frozenset()  # no cross-signing: under this policy, no keys for them
        master_key, ssk_key = xs.only_key(master), xs.only_key(ssk)
        if master_key is None or ssk_key is None or not xs.verify(ssk, user, master_key):
            return frozenset()
        if user == self._client.user_id:
            if master_key != self._own_master:
                # Not the identity in our own key file: not ours to trust, nor to warn about.
                log.warning("the bot's published identity is not its own; no keys to its devices")
                return frozenset()
            return self._devices_signed_by(user, answer, ssk_key)
        pinned = await self._router.load_state(PIN_STATE + user)
        if pinned is None:
            await self._router.save_state(PIN_STATE + user, master_key)
        elif pinned != master_key:
            await self._warn_identity_changed(user, master_key, room_id)
            return frozenset()
        return self._devices_signed_by(user, answer, ssk_key)

    def _devices_signed_by(self, user: str, answer: dict[str, Any], ssk_key: str) -> frozenset[str]:
        signed: set[str] = set()
        known = {d.id: d for d in self._client.device_store.active_user_devices(user)}
        for device_id, device in answer.get("device_keys", {}).get(user, {}).items():
            if not isinstance(device, dict) or not xs.verify(device, user, ssk_key):
                continue
            # The signed key must be the very key nio encrypts to.
            local = known.get(device_id)
            if (
                local is not None
                and device.get("keys", {}).get(f"ed25519:{device_id}") == local.ed25519
            ):
                signed.add(device_id)
        return frozenset(signed)

    async def _warn_identity_changed(self, user: str, new_key: str, room_id: str) -> None:
        log.warning("a member's master key changed; sharing no keys with them")
        marker = PIN_WARNED + user + ":" + new_key
        if await self._router.load_state(marker):
            return
        reply = Reply(
            room=RoomRef(Platform.MATRIX, room_id),
            text=translate(self._locale, "matrix.master_key_changed", user=user),
            kind=ReplyKind.ERROR,
            message_key=marker,
        )
        await self._router.save_state(marker, "1")
        await self._router.enqueue([reply])  # we are inside a send to this room

    async def announce_new_device(self, rooms: list[str]) -> None:
        """Once after a "start over" (a new store: a new device, a new identity): one neutral
        notice in each of the bot's rooms, so that a client's "new device" or "identity
        changed" marker for the bot has its explanation. Not on the very first start."""
        client = self._client
        key = OWN_DEVICE + client.user_id
        previous = await self._router.load_state(key)
        current = str(client.device_id)
        if previous == current:
            return
        await self._router.save_state(key, current)
        if previous is None or not rooms:
            return
        log.warning("running as a new device; telling %d rooms once", len(rooms))
        text = translate(self._locale, "matrix.new_device", device=current)
        await self._router.post(
            [
                Reply(
                    room=RoomRef(Platform.MATRIX, room_id),
                    text=text,
                    message_key=f"matrix:new-device:{current}",
                )
                for room_id in sorted(rooms)
            ]
        )
