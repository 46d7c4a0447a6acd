"""One log line when the database goes away and one when it is back: during an outage every
command is refused with one line to its user, and a traceback per command would bury the log."""

from __future__ import annotations

import logging


class OutageLog:
    def __init__(self, log: logging.Logger) -> None:
        self._log = log
        self._down = False

    def down(self) -> None:
        if not self._down:
            self._down = True
            self._log.error("the database is not reachable; commands are refused until it is back")

    def up(self) -> None:
        if self._down:
            self._down = False
            self._log.warning("the database is reachable again")
