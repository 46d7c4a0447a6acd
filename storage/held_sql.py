"""One PostgreSQL statement out of a write and the writes held before it (storage/direct.py):
the held ones become its first WITH clauses. PostgreSQL runs every data-modifying WITH clause
exactly once and to completion, whether or not the statement reads it; all of them see the
same snapshot, and a constraint is checked at the end of the statement, so a row may refer to
a row a clause before it inserts."""

from __future__ import annotations

import functools
import re

# asyncpg's placeholders as SQLAlchemy renders them: $1, $2, … in order of first use.
_PLACEHOLDER = re.compile(r"\$(\d+)")


@functools.lru_cache(maxsize=512)
def with_held(sql: str, count: int, held: tuple[tuple[str, int], ...]) -> str:
    """`sql` (with `count` parameters) preceded by `held` (each SQL and its number of
    parameters), whose parameters follow `sql`'s in that order."""
    clauses = []
    offset = count
    for index, (part, part_count) in enumerate(held):
        if "$$" in part:
            raise ValueError("a dollar-quoted string cannot be renumbered")
        shifted = _PLACEHOLDER.sub(functools.partial(_shift, by=offset), part)
        clauses.append(f"held_{index} AS ({shifted})")
        offset += part_count
    head = ", ".join(clauses)
    stripped = sql.lstrip()
    upper = stripped[:15].upper()
    if upper.startswith("WITH RECURSIVE "):
        return f"WITH RECURSIVE {head}, {stripped[len('WITH RECURSIVE ') :]}"
    if upper.startswith("WITH "):
        return f"WITH {head}, {stripped[len('WITH ') :]}"
    return f"WITH {head} {stripped}"


def _shift(found: re.Match[str], *, by: int) -> str:
    return f"${int(found.group(1)) + by}"
