"""One terminal for all output: results on stdout, messages on stderr, no colour or progress when piped.

Text from the register or the command line is printed through ``printable``: a control character (an ESC
sequence that would move the cursor or recolour the screen, a carriage return that would overwrite the line) is
shown as ``\\x1b``, never sent to the terminal raw.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

out = Console(highlight=False, soft_wrap=True)
PIPE_WIDTH = 160  # tables written to a file or a pipe (logs, CI) are not squeezed to 80 columns
err = Console(stderr=True, highlight=False, soft_wrap=True)
# what a terminal would act on: C0 controls but tab and line feed (ESC, CR and BS included), DEL, C1 controls
_TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_JSON_RAW = re.compile("[\x7f-\x9f]")  # json.dumps escapes C0 itself, not DEL and C1


def printable(text: object) -> str:
    """Text safe to print: each control character shown as \\xNN instead of acting on the terminal."""
    s = "" if text is None else str(text)
    return _TERMINAL_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", s) if _TERMINAL_CONTROL.search(s) else s


def error(message: str) -> None:
    """One clear sentence on stderr."""
    message = printable(message)
    err.print(f"[bold red]错误：[/]{_escape(message)}" if err.is_terminal else f"错误：{message}")


def warning(message: str) -> None:
    message = printable(message)
    err.print(f"[yellow]注意：[/]{_escape(message)}" if err.is_terminal else f"注意：{message}")


def success(message: str) -> None:
    message = printable(message)
    out.print(f"[green]✓[/] {_escape(message)}" if out.is_terminal else message)


def info(message: str) -> None:
    out.print(_escape(printable(message)))


def print_json(data: Any) -> None:
    """Exactly the JSON on stdout (UTF-8, Chinese kept readable), nothing else."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if _JSON_RAW.search(text):  # only inside strings: the escape is the same JSON value
        text = _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def table(title: str | None, columns: list[str], rows: list[list[Any]], **kwargs) -> Table:
    """A rich table with the house style."""
    t = Table(title=None if title is None else printable(title), header_style="bold", **kwargs)
    for column in columns:
        t.add_column(column, overflow="fold")  # a narrow terminal wraps figures, never hides them
    for row in rows:
        t.add_row(*("" if v is None else printable(v) for v in row))
    return t


def show(renderable: Any) -> None:
    """Print a table or panel; when stdout is not a terminal, wide enough that no figure is cut."""
    if out.is_terminal or os.environ.get("COLUMNS"):
        out.print(renderable)
        return
    saved = out._width
    out.width = PIPE_WIDTH
    try:
        out.print(renderable)
    finally:
        out._width = saved


def progress_enabled(quiet: bool = False) -> bool:
    """Progress bars only for a person at a terminal."""
    return not quiet and err.is_terminal


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
