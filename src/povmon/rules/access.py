"""Who may do what: the four roles, the actions each grants, and the tables each may write.

One home for the rule (issue 17): the CLI asks ``may`` before work, the session refuses a write a role may not
make (``services.access``), and on PostgreSQL the same grants are given to the database roles (``povmon.pgaccess``).
"""

from __future__ import annotations

# role key -> the label a clerk reads (and types: povmon user add NAME --role 乡镇专干)
ROLES: dict[str, str] = {
    "county_admin": "县级管理员",
    "clerk": "乡镇专干",
    "cadre": "帮扶干部",
    "auditor": "审计",
}
ROLE_BY_LABEL: dict[str, str] = {label: key for key, label in ROLES.items()} | {key: key for key in ROLES}

# actions a role may be granted -> what the action is, in the user's words
ACTIONS: dict[str, str] = {
    "read": "查看",
    "import": "导入名册和部门数据",
    "edit": "录入和修改户、成员、收入、政策、结对等",
    "visit": "记录走访和帮扶措施",
    "close": "月度签核（report close）",
    "assess": "督查和年终考核",
    "show_ids": "导出或显示完整身份证号和电话（--show-ids）",
    "users": "管理用户",
}

GRANTS: dict[str, frozenset[str]] = {
    "county_admin": frozenset(ACTIONS),
    "clerk": frozenset({"read", "import", "edit", "visit", "show_ids"}),
    "cadre": frozenset({"read", "visit"}),
    "auditor": frozenset({"read", "close"}),
}

# What each scope kind means: a clerk works in a township (or a village), an auditor reads an area (or the whole
# register), a cadre sees the households paired with them; the county administrator sees everything.
SCOPE_KIND: dict[str, str] = {"county_admin": "all", "clerk": "area", "cadre": "pairings", "auditor": "area"}

# Tables a role may write beyond what its actions need in general: an auditor writes only a month close (and the
# audit rows every action leaves), a cadre only visits and measures. None: any table (within scope).
WRITABLE: dict[str, frozenset[str] | None] = {
    "county_admin": None,
    "clerk": None,
    "cadre": frozenset({"visit", "measure", "audit_log"}),
    "auditor": frozenset({"month_close", "audit_log"}),
}
# Tables only the county administrator writes, whoever else may write: the users themselves.
ADMIN_ONLY = frozenset({"app_user"})


# What a table holds, in a clerk's words (for a refusal); a table not named here is shown by its name.
TABLE_LABELS: dict[str, str] = {
    "household": "户", "member": "成员", "household_event": "识别变动", "income": "收入", "benefit": "政策享受",
    "policy": "政策", "pairing": "结对", "measure": "帮扶措施", "visit": "走访", "cadre": "干部", "area": "区划",
    "app_user": "用户", "month_close": "月度签核", "audit_log": "审计日志", "import_batch": "导入批次",
    "dept_row": "部门数据", "lead": "风险线索", "lead_step": "线索办理", "work_team": "驻村工作队",
    "attendance": "考勤", "inspection": "督查", "finding": "督查问题", "project": "项目", "employment": "务工",
}


def table_label(table: str) -> str:
    return TABLE_LABELS.get(table, table)


def role_key(text: str) -> str | None:
    """The role a label or key names (县级管理员 / county_admin …), None when it names none."""
    return ROLE_BY_LABEL.get(text.strip())


def may(role: str, action: str) -> bool:
    """Whether the role grants the action."""
    return action in GRANTS.get(role, frozenset())


def may_write(role: str, table: str) -> bool:
    """Whether the role may insert, change or delete rows of the table (scope aside)."""
    if table in ADMIN_ONLY:
        return role == "county_admin"
    tables = WRITABLE.get(role, frozenset())
    return tables is None or table in tables


def labels(keys) -> str:
    """Role labels joined for a sentence: 县级管理员、乡镇专干."""
    return "、".join(ROLES[key] for key in keys)


def holders(action: str) -> list[str]:
    """The roles that grant an action, in order."""
    return [key for key in ROLES if may(key, action)]
