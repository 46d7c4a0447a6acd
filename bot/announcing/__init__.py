"""Telling the group what happened: the domain events a command emitted
(bot.domain.events) become its replies here, and only here. See `dispatch.py`."""

from bot.announcing.dispatch import HANDLERS, publish

__all__ = ["HANDLERS", "publish"]
