"""Normalising text as clerks type it (full-width forms, stray spaces, line breaks)."""

from __future__ import annotations

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
