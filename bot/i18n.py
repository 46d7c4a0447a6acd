"""Every user-facing string, in Danish (the default) and English.

Texts live in the `bot/catalogue/` package as key -> (Danish, English). A key missing in the
catalogue is a programming error and is caught by the tests, which render every key in both
languages.
"""

from __future__ import annotations

import functools

from bot.catalogue import CATALOGUE

DEFAULT_LOCALE = "da"
LOCALES = ("da", "en")


def normalise_locale(locale: str) -> str:
    # Asked for every text of every reply (a listing renders dozens); the locales seen are few.
    known = _NORMALISED.get(locale)
    if known is None:
        short = locale.strip().lower().replace("_", "-").split("-", 1)[0]
        known = short if short in LOCALES else DEFAULT_LOCALE
        if len(_NORMALISED) < _MAX_REMEMBERED:
            _NORMALISED[locale] = known
    return known


_NORMALISED: dict[str, str] = {}
_MAX_REMEMBERED = 1_000


def translate(locale: str, key: str, **params: object) -> str:
    template = _template(locale, key)
    if not params:
        return template
    if "what" in params and f"what.{params['what']}" in CATALOGUE:
        params["what"] = translate(locale, f"what.{params['what']}")
    return template.format(**params)


# A reply asks for dozens of texts (a listing: four a line), most without parameters.
@functools.lru_cache(maxsize=4096)
def _template(locale: str, key: str) -> str:
    da, en = CATALOGUE[key]
    return en if normalise_locale(locale) == "en" else da


def plural(locale: str, key: str, count: int, *, shown: str | None = None) -> str:
    """A counted noun in the reader's language: `plural("da", "count.meetings", 1)` is
    "1 møde", with 2 it is "2 møder". The catalogue holds "singular|plural" (`count.*`).
    `shown` writes the number differently ("more than 500"); the noun is then plural."""
    singular, many = translate(locale, key, n=count if shown is None else shown).split("|")
    return singular if count == 1 and shown is None else many
