"""The pager gateway: pages an agency's duty contact and the lead outside chat (a signed
JSON webhook, or a generic HTTP SMS gateway)."""

from adapters.pager.sender import PagerSender

__all__ = ["PagerSender"]
