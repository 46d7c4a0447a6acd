"""The JSON log format: one object per line, for a log shipper.

`{"time", "level", "logger", "event", "message", …ids}`. `event` is the name given with
`extra={"event": …}`, else the message's template (stable across calls); the ids come from
`bot.logfields`. As in the text format, an exception is written as its type and frames,
never its message: a database or chat-library error can quote the data it was handling.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime

from bot.logfields import current


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": str(record.__dict__.get("event") or record.msg),
            "message": record.getMessage(),
        }
        line.update(current())
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _exc, tb = record.exc_info
            line["exception"] = exc_type.__name__
            line["traceback"] = "".join(traceback.format_tb(tb))
        return json.dumps(line, ensure_ascii=False, default=str)
