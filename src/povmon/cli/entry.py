"""What the data-entry commands share: asking for missing values, --set pairs, and reporting what was stored.

Required values may be left off the command line. At a terminal the command asks for each one (a Typer
prompt that re-asks until the value passes the same rule the importer applies); anywhere else (a script,
a pipe, a test) it asks nothing and fails with exit code 1, naming every missing option at once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated

import typer

from povmon import console
from povmon.errors import PovmonError
from povmon.rules.parse import ValueProblem
from povmon.services.entry import Outcome

ReasonOption = Annotated[str | None, typer.Option("--reason", help="理由或说明（写入审计日志）。", show_default=False)]
DateHelp = "日期：2019-03-01、2019.3.1、2019/3/1、2019年3月1日 或 20190301。"


def interactive() -> bool:
    """A person at a terminal (prompts allowed); CliRunner, pipes and cron are not."""
    return sys.stdin.isatty()


class Asker:
    """Collect required values: prompt for a missing one at a terminal, else name every missing one and fail."""

    def __init__(self) -> None:
        self.missing: list[str] = []

    def __call__(self, value, option: str, title: str, check: Callable[[str], object] | None = None):
        if value is not None and (not isinstance(value, (str, list, tuple)) or len(value) > 0) and \
                (not isinstance(value, str) or value.strip()):
            return value
        if interactive():
            return typer.prompt(title, value_proc=_validator(check))
        self.missing.append(f"{option}（{title}）")
        return None

    def check(self) -> None:
        """Fail (exit 1) naming every required value that was not given."""
        if self.missing:
            raise PovmonError(f"缺少必填项：{'、'.join(self.missing)}；请在命令中写明（在终端中运行时会逐项询问）。")


def _validator(check: Callable[[str], object] | None) -> Callable[[str], str]:
    def validate(text: str) -> str:
        text = text.strip()
        if not text:
            raise typer.BadParameter("不能为空")
        if check is not None:
            try:
                check(text)
            except ValueProblem as exc:
                raise typer.BadParameter(exc.message) from None
        return text

    return validate


def pairs(items: list[str] | None, option: str = "--set") -> dict[str, str]:
    """FIELD=VALUE pairs of a repeatable option (字段=值 with a full-width ＝ accepted too)."""
    result: dict[str, str] = {}
    for item in items or []:
        text = item.replace("＝", "=")
        if "=" not in text:
            raise typer.BadParameter(f"“{item}”应写成 字段=值，如 住房安全=B级", param_hint=option)
        key, value = text.split("=", 1)
        if not key.strip():
            raise typer.BadParameter(f"“{item}”缺少字段名", param_hint=option)
        result[key.strip()] = value.strip()
    return result


def changes_text(data: dict) -> str:
    """The changed fields of an outcome's JSON as one line: 住房安全：C级 → B级；…"""
    from povmon.services.fields import describe

    parts = []
    for c in data["changed"]:
        title, old = describe(c["table"], c["field"], c["old"])
        _, new = describe(c["table"], c["field"], c["new"])
        parts.append(f"{title}：{old} → {new}")
    return "；".join(parts) or "未作改动"


def report(outcome: Outcome, data: dict, json: bool, message: str) -> None:
    """Warnings on stderr; then the JSON of what was stored, or one line saying it."""
    for warning in outcome.warnings:
        console.warning(warning.text)
    if json:
        console.print_json(data)
    else:
        console.success(message)


def opt(*names: str, help: str) -> typer.models.OptionInfo:
    """An option without a shown default (most entry options are optional text)."""
    return typer.Option(*names, help=help, show_default=False)


def arg(help: str) -> typer.models.ArgumentInfo:
    """An argument that may be left off: the command then asks for it, or fails naming it."""
    return typer.Argument(help=help, show_default=False)


Text = str | None
