"""The rows of a statement run straight on the driver (storage/direct.py), read as
SQLAlchemy's results are read."""

from __future__ import annotations

import keyword
import operator
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from sqlalchemy.exc import MultipleResultsFound, NoResultFound

_MANY = "Multiple rows were found when exactly one was required"


class Rows(Protocol):
    """What callers read from a statement's result (SQLAlchemy's result has the same)."""

    @property
    def rowcount(self) -> int: ...

    def __iter__(self) -> Iterator[Any]: ...

    def first(self) -> Any: ...

    def all(self) -> Sequence[Any]: ...

    def one(self) -> Any: ...

    def scalar(self) -> Any: ...

    def scalar_one(self) -> Any: ...

    def scalar_one_or_none(self) -> Any: ...


class DirectRows:
    """The rows of one statement run on the driver, already processed."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def all(self) -> list[Any]:
        return self._rows

    def one(self) -> Any:
        if not self._rows:
            raise NoResultFound("No row was found when one was required")
        if len(self._rows) > 1:
            raise MultipleResultsFound(_MANY)
        return self._rows[0]

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalar_one_or_none(self) -> Any:
        if len(self._rows) > 1:
            raise MultipleResultsFound(_MANY)
        return self._rows[0][0] if self._rows else None


def row_class(keys: Sequence[str]) -> type[tuple[Any, ...]]:
    """A tuple whose columns can also be read by name, as SQLAlchemy's rows can."""
    namespace: dict[str, Any] = {"__slots__": (), "_fields": tuple(keys)}
    for index, key in enumerate(keys):
        if key.isidentifier() and not keyword.iskeyword(key) and key not in namespace:
            namespace[key] = property(operator.itemgetter(index))
    namespace["_mapping"] = property(lambda row: dict(zip(keys, row, strict=True)))
    return type("DirectRow", (tuple,), namespace)
