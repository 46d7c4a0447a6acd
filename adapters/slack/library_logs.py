"""slack-bolt's and slack_sdk's own log lines, kept to their level and logger: some of them
carry request bodies, so their words are dropped (data protection rule 5)."""

from __future__ import annotations

import logging


class _Redact(logging.Filter):
    """slack-bolt and slack_sdk put request bodies into some of their log lines; keep the
    level and the logger, drop the words (data protection rule 5)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = f"slack library {record.levelname.lower()} (details withheld)"
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        return True


def quiet_library_logs() -> logging.Logger:
    bolt_logger = logging.getLogger("psp_bot.slack.bolt")
    for name in ("psp_bot.slack.bolt", "slack_bolt", "slack_sdk"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _Redact) for f in logger.filters):
            logger.addFilter(_Redact())
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    return bolt_logger
