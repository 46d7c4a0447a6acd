"""One log line when the database goes away and one when it is back: during an outage every
command (and every scheduler tick) fails the same way, and a traceback each time would bury
the log."""

from __future__ import annotations

import logging


class OutageLog:
    def __init__(
        self, log: logging.Logger, meanwhile: str = "commands are refused until it is back"
    ) -> None:
        self._log = log
        self._meanwhile = meanwhile  # what the outage means for this part of the bot
        self._down = False

    def down(self) -> None:
        if not self._down:
            self._down = True
            self._log.error("the database is not reachable; %s", self._meanwhile)

    def up(self) -> None:
        if self._down:
            self._down = False
            self._log.warning("the database is reachable again")
