"""povmon user: the people who may use a county's shared PostgreSQL register, their roles and areas."""

from __future__ import annotations

from typing import Annotated

import typer

from povmon import console
from povmon.cli.common import DbOption, JsonOption, UserOption, fail, unit_of_work, user_of
from povmon.cli.entry import Text, arg, opt
from povmon.rules import access as rules

app = typer.Typer(
    help="用户：为县级管理员、乡镇专干、帮扶干部、审计开户（PostgreSQL 上同时建立其数据库登录），列出，停用。",
    no_args_is_help=True,
)

ROLE_HELP = "角色：" + "、".join(rules.ROLES.values()) + "。"


@app.command("add")
def add_cmd(
    name: Annotated[Text, arg("用户名，即其数据库登录名（如 wangfang 或 王芳）。")] = None,
    role: Annotated[Text, opt("--role", help=ROLE_HELP)] = None,
    area: Annotated[Text, opt("--area", help="范围：乡镇专干负责的乡镇（或村）；审计查看的地区（不写为全县）。")]
    = None,
    cadre: Annotated[Text, opt("--cadre", help="帮扶干部本人在干部名册中的身份证号（或唯一的姓名）。")] = None,
    password: Annotated[bool, typer.Option("--password", help="为这个登录设置密码（会提示输入两次，不回显）。")]
    = False,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """开户：登记一名用户及其角色和范围；在 PostgreSQL 上同时建立同名登录并授予该角色的权限。

    Example: povmon user add wangfang --role 乡镇专干 --area 西营镇
    """
    from povmon.services import users

    if not name or not role:
        raise fail("请写用户名和角色，如 povmon user add wangfang --role 乡镇专干 --area 西营镇。")
    secret = typer.prompt("新密码", hide_input=True, confirmation_prompt="再输入一次") if password else None
    with unit_of_work(db, writes=True) as session:
        shown = users.add(session, name, role, area=area, cadre=cadre, password=secret, user=user_of(user))
    if json:
        console.print_json(shown.as_json())
    else:
        console.out.print(f"已为 {shown.name} 开户：{shown.role_label}，范围 {shown.scope}。"
                          f"请其用自己的登录连接：--db postgresql://{shown.name}@服务器/库名。")


@app.command("list")
def list_cmd(json: JsonOption = False, db: DbOption = None) -> None:
    """列出用户：角色、范围、是否停用、谁在何时开的户。SQLite 单机库说明其为单用户运行。

    Example: povmon user list --json
    """
    from povmon.services import users

    with unit_of_work(db) as session:
        single = users.is_single_user(session)
        rows = [] if single else users.listing(session)
    if json:
        console.print_json({"single_user": single, "note": users.SINGLE_USER if single else None,
                            "users": [r.as_json() for r in rows]})
        return
    if single:
        console.out.print(users.SINGLE_USER)
        return
    if not rows:
        console.out.print("还没有用户：县级管理员用 povmon user add 名字 --role 乡镇专干 --area 乡镇 开户。")
        return
    from rich.table import Table

    table = Table("用户", "角色", "范围", "状态", "开户", box=None)
    for r in rows:
        table.add_row(r.name, r.role_label, r.scope, "在用" if r.active else f"已停用 {r.disabled_at:%Y-%m-%d}",
                      f"{r.created_at:%Y-%m-%d} {r.created_by or ''}")
    console.out.print(table)


@app.command("disable")
def disable_cmd(
    name: Annotated[Text, arg("要停用的用户名。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """停用一名用户：不能再登录；审计日志里的名字保留，用户不会被删除。

    Example: povmon user disable wangfang
    """
    _set(name, False, json, db, user)


@app.command("enable")
def enable_cmd(
    name: Annotated[Text, arg("要恢复的用户名。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """恢复一名停用的用户。

    Example: povmon user enable wangfang
    """
    _set(name, True, json, db, user)


def _set(name: str | None, active: bool, json: bool, db: str | None, user: str | None) -> None:
    from povmon.services import users

    if not name:
        raise fail("请写用户名，如 povmon user disable wangfang。")
    with unit_of_work(db, writes=True) as session:
        shown = users.set_active(session, name, active, user=user_of(user))
    if json:
        console.print_json(shown.as_json())
    else:
        console.out.print(f"已{'恢复' if active else '停用'}用户 {shown.name}（{shown.role_label}，{shown.scope}）。")
