"""Texts of the delivery of messages (bot/delivery): key -> (Danish, English)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "delivery.late": (
        "⏳ Forsinket: skrevet {when} UTC, leveret nu.",
        "⏳ Delayed: written {when} UTC, delivered now.",
    ),
    "delivery.stuck": (
        "⚠️ Beskeder til {platform}-rummet {room} har ikke kunnet leveres i {minutes}. "
        "Tjek at botten stadig er medlem; `psp-bot outbox` viser dem.",
        "⚠️ Messages to the {platform} room {room} could not be delivered for {minutes}. "
        "Check that the bot is still a member; `psp-bot outbox` lists them.",
    ),
}
