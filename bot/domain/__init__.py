"""The vocabulary of the PSP cooperation and its pure rules, shared by the core, the storage
layer and the tests. Standard library only.

`from bot.domain import X` keeps working for every name: the package re-exports them.
"""

from bot.domain.cpr import contains_cpr, cpr_skeleton, without_cpr
from bot.domain.model import *  # noqa: F403 - the vocabulary, re-exported as one namespace
from bot.domain.model import __all__ as _model_names
from bot.domain.refs import format_case_ref, normalise_case_ref, valid_prefix
from bot.domain.rules import (
    DEFAULT_AUTHORITIES,
    NEVER_AUTHORITIES,
    PlaceNow,
    Propose,
    Refused,
    authorities_for,
)
from bot.domain.text import clean_text, has_unreadable_characters

__all__ = [
    *_model_names,
    "DEFAULT_AUTHORITIES",
    "NEVER_AUTHORITIES",
    "PlaceNow",
    "Propose",
    "Refused",
    "authorities_for",
    "clean_text",
    "contains_cpr",
    "cpr_skeleton",
    "format_case_ref",
    "has_unreadable_characters",
    "normalise_case_ref",
    "valid_prefix",
    "without_cpr",
]
