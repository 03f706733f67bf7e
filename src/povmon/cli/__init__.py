"""The povmon command line: one Typer sub-app per noun; each command calls one library function.

The sub-apps are loaded lazily (issue 18): a command imports only its own module (and what that needs), so
``povmon household show`` does not pay for openpyxl, calamine, Alembic or the report writers. ``povmon --help``
lists every command from ``COMMANDS`` below without importing any of them; ``tests/test_cli_startup.py`` checks
that each summary there is the first paragraph of the command's own help.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping

import typer
from typer import _click
from typer.core import TyperCommand

from povmon import __version__
from povmon.cli.common import DbOption, PovmonGroup, UserOption, _chinese_help_options, remember_root_options

# name: (module in povmon.cli, attribute, "app" for a sub-app or "command" for one function, summary in --help);
# in the order --help lists them (Typer lists single commands before sub-apps)
COMMANDS: dict[str, tuple[str, str, str, str]] = {
    "ledger": ("ledger", "ledger", "command",
               "打印户的五本账（A4）：每户一张表（加 --split 时每户一个文件）；加 --form 打印入户核实表。"),
    "demo": ("demo", "demo_cmd", "command",
             "在 DIR 中建立示例县交城县：新的演示数据库，导入示例工作簿，写出 2019 年 1 月月报和野则河村五本账，\n"
             "显示全县汇总。不碰默认数据库；DIR 中已有不是演示建立的数据库时拒绝。"),
    "import": ("importing", "import_cmd", "command",
               "导入工作簿（模板或花名册），一次一个事务；有错的户报告出来，不导入。"),
    "template": ("importing", "template_cmd", "command", "写出空白导入模板：每类记录一张表，带下拉选项和填表说明。"),
    "db": ("db", "app", "app", "数据库：建立/升级表结构，查看版本，检查模型与迁移是否一致，备份与恢复。"),
    "household": ("household", "app", "app",
                  "户：登记一户（含户主），修改一项，按村、姓名、身份证号或状态查找，查看一户。"),
    "lines": ("lines", "app", "app", "标准线：查看贫困线、监测线，导入本县（省）标准。"),
    "area": ("area", "app", "app", "区划：建立县、乡镇、村，改名，列出。"),
    "member": ("member", "app", "app", "成员：新增（出生、婚入、迁入），死亡或迁出，修改一项，迁往另一户。"),
    "event": ("event", "app", "app",
              "识别账：识别纳入、脱贫退出、返贫、纳入监测、风险消除、撤销消除、作废一条错误记录、列出历史。"),
    "income": ("income", "app", "app",
               "收入账：录入或更正一户某年（或某月）的收入，查看人均纯收入与贫困线、监测线的比较。"),
    "cadre": ("cadre", "app", "app", "干部：登记帮扶干部、第一书记、工作队员；列出干部及其结对户。"),
    "pair": ("pair", "app", "app", "结对帮扶：结对、结束结对、更换帮扶干部（保留历史）、列出结对。"),
    "visit": ("visit", "app", "app", "走访：记录一次入户走访。"),
    "measure": ("measure", "app", "app", "帮扶措施：记录一项帮扶措施。"),
    "benefit": ("benefit", "app", "app", "政策账：记录一户（或一名成员）享受的一项政策。"),
    "monitor": ("monitor", "app", "app",
                "防止返贫动态监测：导入部门名单、筛查规则、筛查预警、线索办理（入户核实至县级审定）、监测报表。"),
    "team": ("team", "app", "app",
             "驻村工作队：队伍、队员任职与更换、考勤、请销假、外出报备、定期汇报、评议、工作日志。"),
    "project": ("project", "app", "app", "项目：登记项目、资金来源、受益户，发放资产收益分红；导入、模板、台账。"),
    "asset": ("project", "asset_app", "app",
              "帮扶项目资产：登记资产，记录状态变化（在用、闲置、损毁、处置），列出资产。"),
    "job": ("jobs", "job_app", "app", "务工就业：登记企业，登记成员在企业务工（起止日期、月工资），列出务工情况。"),
    "training": ("jobs", "training_app", "app", "技能培训：登记培训（内容、日期、机构），登记参加的成员，列出培训。"),
    "party": ("jobs", "party_app", "app", "政治面貌：记录成员某日起的政治面貌（入党、转正），统计党员人数。"),
    "inspect": ("inspect", "app", "app", "督查：不定期抽查、重点督查、明察暗访，发现的问题及整改。"),
    "assess": ("assess", "app", "app", "年终考核：驻村工作队和第一书记的评分、等次、定案、手工评分与复核。"),
    "report": ("report", "app", "app", "报表：审计用的月度汇总、结账与核对；驻村考勤；督查与年终考核。"),
    "key": ("key", "app", "app", "县密钥：生成新的县密钥文件，检查密钥是否属于本库（身份证号和电话用它加密保存）。"),
    "user": ("user", "app", "app",
             "用户：为县级管理员、乡镇专干、帮扶干部、审计开户（PostgreSQL 上同时建立其数据库登录），列出，停用。"),
    "sample": ("demo", "sample_app", "app", "示例数据：按报纸报道的数字生成交城县示例工作簿。"),
}


def load_command(name: str) -> _click.Command:
    """The click command of one entry of COMMANDS, built exactly as ``app.add_typer``/``app.command`` would."""
    module_name, attribute, kind, _ = COMMANDS[name]
    target = getattr(importlib.import_module(f"povmon.cli.{module_name}"), attribute)
    holder = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    if kind == "app":
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    command = typer.main.get_group(holder).commands[name]
    _chinese_help_options(command)
    return command


class LazyCommands(MutableMapping):
    """The root's commands: those added eagerly, then every entry of COMMANDS, imported on first use."""

    def __init__(self, eager: dict[str, _click.Command]):
        self._loaded = dict(eager)
        self._names = [*COMMANDS, *(n for n in eager if n not in COMMANDS)]

    def __getitem__(self, name: str) -> _click.Command:
        if name not in self._loaded:
            if name not in COMMANDS:
                raise KeyError(name)
            self._loaded[name] = load_command(name)
        return self._loaded[name]

    def __setitem__(self, name: str, command: _click.Command) -> None:
        self._loaded[name] = command
        if name not in self._names:
            self._names.append(name)

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]
        self._names.remove(name)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def summary(self, name: str) -> _click.Command:
        """The command if loaded, else a stand-in with its summary (what ``povmon --help`` lists)."""
        if name in self._loaded or not COMMANDS.get(name, ("", "", "", ""))[3]:
            return self[name]
        return TyperCommand(name, help=COMMANDS[name][3])


class RootGroup(PovmonGroup):
    """The root group with lazily loaded sub-commands."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands(self.commands)
        self._listing = False

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(self.commands)

    def get_command(self, ctx: typer.Context, cmd_name: str) -> _click.Command | None:
        if cmd_name not in self.commands:
            return None
        if self._listing and isinstance(self.commands, LazyCommands):
            return self.commands.summary(cmd_name)
        return self.commands[cmd_name]

    def format_help(self, ctx, formatter):
        self._listing = True
        try:
            return super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="povmon",
    cls=RootGroup,
    help="povmon：贫困户“五本账”（家庭账、识别账、政策账、收入账、帮扶账）的登记、导入、打印与月报。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"povmon {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    db: DbOption = None,
    user: UserOption = None,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="显示版本。"),
) -> None:
    """povmon：贫困户“五本账”的登记、导入、打印与月报。--db 与 --user 写在子命令前后都可以。"""
    remember_root_options(db, user)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="povmon")
