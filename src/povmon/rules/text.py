"""Normalising text as clerks type it (full-width forms, stray spaces, line breaks, invisible control characters).

Control characters (U+0000–U+001F other than tab and line breaks, DEL, U+0080–U+009F) have no place in a
register: they come from cells written as ``_x0001_``, from pasted text or from a command argument, show as nothing
in Excel, break the XML of a workbook, are refused by PostgreSQL (NUL) and move a terminal's cursor (ESC).
Every text value passes ``clean_text`` or ``fold`` on its way in — the importer's parsers and the data-entry
commands alike — and both remove them, so a value is the same whichever way it came.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_SPACES = re.compile(r"\s+")
# C0 controls but tab, line feed and carriage return (whitespace, collapsed as such), DEL and C1 controls
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def without_controls(value: str) -> str:
    """The text with its control characters removed (they are invisible and carry nothing)."""
    return CONTROL.sub("", value) if CONTROL.search(value) else value


def has_controls(value: str) -> bool:
    """Whether the text holds a control character."""
    return CONTROL.search(value) is not None


def fold(value: str) -> str:
    """The comparison key of a label: NFKC (full-width → half-width), no whitespace at all, lower case.

    NFKC maps （）to (), full-width digits and letters to ASCII and the ideographic space to a space.
    """
    return _SPACES.sub("", unicodedata.normalize("NFKC", without_controls(value))).lower()


def clean_text(value: object) -> str | None:
    """A cell's text with outer whitespace removed and inner runs collapsed; None when empty."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value)) if not isinstance(value, str) else value
    text = _SPACES.sub(" ", without_controls(text).replace("\u3000", " ")).strip()
    return text or None


EXCERPT = 50  # characters of a value a message repeats; a 32,767-character cell is not echoed whole


def excerpt(value: object, limit: int = EXCERPT) -> str:
    """A value as a message repeats it: whole when short, else its beginning and its length; a control
    character in it shown as \\x1b (the clerk sees that something invisible is there, the terminal is safe)."""
    text = "" if value is None else str(value)
    if CONTROL.search(text):
        text = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…（共 {len(text):,} 字）"


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
