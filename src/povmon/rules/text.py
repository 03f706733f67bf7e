"""Normalising text as clerks type it (full-width forms, stray spaces, line breaks)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(value: str) -> str:
    """The comparison key of a label: NFKC (full-width → half-width), no whitespace at all, lower case.

    NFKC maps （）to (), full-width digits and letters to ASCII and the ideographic space to a space.
    """
    return _SPACES.sub("", unicodedata.normalize("NFKC", value)).lower()


def clean_text(value: object) -> str | None:
    """A cell's text with outer whitespace removed and inner runs collapsed; None when empty."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value)) if not isinstance(value, str) else value
    text = _SPACES.sub(" ", text.replace("\u3000", " ")).strip()
    return text or None


def shown(value: object) -> str | None:
    """A cell value as the clerk saw it, for messages and JSON: text, never a float's exponent form."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
