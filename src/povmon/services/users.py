"""Users and their roles: add, list, disable, enable (issue 17).

A user is a row of ``app_user`` and, on PostgreSQL, a database login of the same name given its role's grants
(``povmon.pgaccess``), so that the database enforces the scope povmon applies. On SQLite one office works on one
machine: povmon runs single-user and has no users to add. Every change is audited; a user is never deleted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from povmon.errors import PovmonError
from povmon.models import AppUser
from povmon.models.base import utcnow
from povmon.rules import access as rules
from povmon.rules.text import clean_text
from povmon.services import access, audit
from povmon.services.lookup import find_area, find_cadre

SINGLE_USER = ("这是 SQLite 单机库：povmon 单用户运行，不分角色和范围，审计日志记下的操作人是 --user"
               "（或 POVMON_USER、系统用户名）；县里多人共用时，请把县库放到 PostgreSQL 服务器上，"
               "再用 povmon user add 开户。")
RESERVED = ("postgres", "public", "current_user", "session_user", "none")


@dataclass(frozen=True)
class UserView:
    name: str
    role: str
    role_label: str
    scope: str
    active: bool
    created_at: dt.datetime
    created_by: str | None
    disabled_at: dt.datetime | None

    def as_json(self) -> dict:
        return {"name": self.name, "role": self.role, "role_label": self.role_label, "scope": self.scope,
                "active": self.active, "created_at": self.created_at.isoformat(timespec="seconds"),
                "created_by": self.created_by,
                "disabled_at": self.disabled_at.isoformat(timespec="seconds") if self.disabled_at else None}


def is_single_user(session: Session) -> bool:
    """SQLite: one office, one machine, no users."""
    return session.get_bind().dialect.name != "postgresql"


def _multi_user(session: Session) -> None:
    if is_single_user(session):
        raise PovmonError(SINGLE_USER)


def check_name(text: str | None) -> str:
    """A user's name as the database login it becomes: refused with a sentence when PostgreSQL could not take it."""
    name = clean_text(text) or ""
    if not name:
        raise PovmonError("请写用户名（即其数据库登录名），如 wangfang 或 王芳。")
    if len(name.encode("utf-8")) > 63:
        raise PovmonError(f"用户名 {name[:20]}… 太长：数据库登录名最多 63 个字节（约 21 个汉字）；请换一个短些的名字。")
    if any(ch in name for ch in "\"'\\ ") or name.lower().startswith(("pg_", "povmon_")) or name.lower() in RESERVED:
        raise PovmonError(f"用户名 {name} 不能用作数据库登录名（不能含引号、空格、反斜杠，也不能以 pg_ 或 povmon_ "
                          "开头）；请换一个名字。")
    return name


def add(session: Session, name: str, role: str, *, area: str | None = None, cadre: str | None = None,
        password: str | None = None, user: str) -> UserView:
    """Add a user with a role and scope; on PostgreSQL also their login and grants. Returns what was stored."""
    _multi_user(session)
    access.require(session, "users")
    name = check_name(name)
    key = rules.role_key(role or "")
    if key is None:
        raise PovmonError(f"没有“{role}”这个角色；请用 {'、'.join(rules.ROLES.values())} 之一。")
    if session.scalar(select(AppUser).where(AppUser.name == name)) is not None:
        raise PovmonError(f"用户 {name} 已经存在；要改角色或范围，请先 povmon user disable {name}，再以新名字开户。")
    area_row = cadre_row = None
    kind = rules.SCOPE_KIND[key]
    if kind == "area":
        if area:
            area_row = find_area(session, area)
        elif key == "clerk":
            raise PovmonError(f"乡镇专干要写明负责的乡镇：povmon user add {name} --role 乡镇专干 --area 西营镇。")
    elif area:
        fix = "帮扶干部的范围是与其结对的户，请用 --cadre 身份证号。" if kind == "pairings" else "请去掉 --area。"
        raise PovmonError(f"{rules.ROLES[key]}不按地区划范围，不能用 --area；{fix}")
    if kind == "pairings":
        if not cadre:
            raise PovmonError(f"帮扶干部要对应干部名册里的本人：povmon user add {name} --role 帮扶干部 "
                              "--cadre 身份证号。")
        cadre_row = find_cadre(session, cadre)
    elif cadre:
        raise PovmonError(f"只有帮扶干部按结对的户划范围；{rules.ROLES[key]}请去掉 --cadre。")
    row = AppUser(name=name, role=key, area_id=area_row.id if area_row else None,
                  cadre_id=cadre_row.id if cadre_row else None, active=True, created_by=user)
    session.add(row)
    audit.inserted(session, row, user=user, note=f"开户：{rules.ROLES[key]}")
    from povmon import pgaccess

    pgaccess.create_login(session.connection(), name, key, password)
    return view(session, row)


def set_active(session: Session, name: str, active: bool, *, user: str) -> UserView:
    """Disable a user (they can no longer log in; the audit log keeps their name) or enable them again."""
    _multi_user(session)
    access.require(session, "users")
    row = session.scalar(select(AppUser).where(AppUser.name == (clean_text(name) or "")))
    if row is None:
        raise PovmonError(f"没有用户 {name}；povmon user list 列出全部用户。")
    if not active and row.name == user:
        raise PovmonError("不能停用自己正在使用的登录；请由另一位县级管理员停用。")
    if row.active == active:
        return view(session, row)
    changes = {"active": active, "disabled_at": None if active else utcnow(), "disabled_by": None if active else user}
    audit.update(session, row, changes, user=user, note="停用" if not active else "恢复")
    from povmon import pgaccess

    pgaccess.set_login(session.connection(), row.name, active)
    return view(session, row)


def listing(session: Session) -> list[UserView]:
    """Every user, in the order they were added."""
    _multi_user(session)
    return [view(session, row) for row in session.scalars(select(AppUser).order_by(AppUser.id))]


def view(session: Session, row: AppUser) -> UserView:
    actor = access.of_user(session, row)
    scope = "全县" if actor.sees_all else actor.scope_label
    return UserView(row.name, row.role, rules.ROLES[row.role], scope, row.active, row.created_at, row.created_by,
                    row.disabled_at)
