"""The database enforces povmon's scopes on PostgreSQL: one login per user, row-level security on people's data.

Issue 17: a user who connects with psql sees no more than povmon shows them. Each povmon user (app_user) is a
login of the same name and a member of one NOLOGIN group role per povmon role (``povmon_clerk`` …); the groups
get the table privileges rules.access grants (SELECT everywhere, writes per ``access.may_write``), and every
table that holds people's data has one policy saying which rows a login reaches, through the household they
belong to (``PEOPLE``). ``install`` runs at the end of every ``db upgrade``, so a table a later migration adds
gets its grants and policy from the tables here, not from a frozen migration.

The scope is read from app_user by SECURITY DEFINER functions (they run as the owner, who bypasses RLS, so a
policy on app_user cannot recurse). They look the user up by ``session_user``: inside a SECURITY DEFINER function
``current_user`` is the function's owner; and a login that SET ROLEs to its group keeps its own scope. Policies
call them as scalar subqueries, ``(SELECT povmon_sees_all())``, which PostgreSQL evaluates once per statement (an
InitPlan), so the county administrator's "every row" costs one comparison per row, not one lookup. A scoped
table reaches its household with ``household_id IN (SELECT id FROM household)``: the subquery is itself under
household's policy, so the area and pairing rules are written once, and it runs as one hashed subplan.

The database owner (who ran ``db upgrade``) owns the tables and so bypasses RLS: that is the installer and DBA.
RLS is not FORCEd. COPY into a table under RLS is refused by PostgreSQL for a login subject to it; the import
then copies into a temporary table and inserts from there (ingest.write.postgresql), where the policies' WITH
CHECK apply.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from povmon.errors import PovmonError
from povmon.rules import access

GROUPS: dict[str, str] = {role: f"povmon_{role}" for role in access.ROLES}  # povmon role -> group role
POLICY_PREFIX = "povmon_"


@dataclass(frozen=True)
class Reach:
    """How a table's rows reach a household: through ``column`` of kind ``via``.

    via: ``village`` (the household itself, by its village), ``household`` (a household id), ``member`` (a member
    id), ``lead`` (a monitoring lead id) or ``id_number`` (a person's ID number, matched to a member through the
    keyed hashes: the numbers themselves are encrypted, povmon.crypto).
    ``unmatched``: who sees rows whose column is NULL — ``None`` nobody but county-wide users, ``"all"`` every
    user (the row is about something else, e.g. an inspection of a work team), ``"importer"`` whoever imported
    its batch (a department's list names people not in the register).
    """

    via: str
    column: str
    unmatched: str | None = None


# Every table that holds people's data, and how its rows reach a household (tests check every model table is
# either here, in SPECIAL or in NOT_PEOPLE: a new table needs a decision).
PEOPLE: dict[str, Reach] = {
    "household": Reach("village", "village_id"),
    "member": Reach("household", "household_id"),
    "household_event": Reach("household", "household_id"),
    "income": Reach("household", "household_id"),
    "benefit": Reach("household", "household_id"),
    "pairing": Reach("household", "household_id"),
    "measure": Reach("household", "household_id"),
    "visit": Reach("household", "household_id"),
    "lead": Reach("household", "household_id"),
    "project_beneficiary": Reach("household", "household_id"),
    "project_dividend": Reach("household", "household_id"),
    "dept_row": Reach("household", "household_id", unmatched="importer"),
    "inspection_target": Reach("household", "household_id", unmatched="all"),
    "lead_step": Reach("lead", "lead_id"),
    "employment": Reach("member", "member_id"),
    "training_participant": Reach("member", "member_id"),
    "political_status": Reach("id_number", "id_hash"),  # the ID number's keyed hash (ID numbers are encrypted)
}
# People's data with a rule of its own: the audit log (append-only, each reads their own rows; the county
# administrator and auditors read all) and the users (each reads their own row; the administrator all).
SPECIAL = frozenset({"audit_log", "app_user"})
# Tables without people's data, each with why: every login reads them all (writes per rules.access).
NOT_PEOPLE: dict[str, str] = {
    "area": "行政区划",
    "cadre": "帮扶干部名录：导入按身份证号匹配干部，各乡镇都要看到全部（干部是公职人员）",
    "policy": "政策目录",
    "poverty_line": "贫困线标准",
    "monitor_rule": "监测规则和阈值",
    "import_batch": "导入批次（文件名、谁、何时），没有户的数据",
    "month_close": "月度签核的汇总数字",
    "enterprise": "企业和就业帮扶车间",
    "training": "培训班",
    "project": "项目",
    "project_funding": "项目资金",
    "project_asset": "项目资产",
    "asset_status": "资产状态",
    "work_team": "驻村工作队",
    "work_team_member": "工作队成员（干部）",
    "attendance": "干部考勤",
    "leave_request": "干部请假",
    "outing": "干部外出",
    "team_report": "工作队报告",
    "team_review": "工作队评议",
    "work_log": "干部工作日志",
    "inspection": "督查",
    "finding": "督查发现的问题",
    "rectification": "整改",
    "assessment_scheme": "考核方案",
    "assessment_hand_score": "考核打分",
    "assessment_appeal": "考核申诉",
    "assessment_close": "考核定稿",
    "alembic_version": "数据库结构版本",
    "county_key": "县密钥的指纹（不是密钥本身），用来拒绝别的密钥",
}

SEES_ALL = "(SELECT povmon_sees_all())"

# The functions the policies call. Each reads app_user for the login; a disabled user, or a login povmon does not
# know, gets nothing (false, NULL, an empty array).
_FUNCTIONS = {
    "povmon_role()": ("text", """
        SELECT role FROM app_user WHERE name = session_user AND active
    """),
    # county_admin, and a clerk or auditor without an area (area_id NULL: the whole register)
    "povmon_sees_all()": ("boolean", """
        SELECT coalesce((SELECT role = 'county_admin' OR (role IN ('clerk', 'auditor') AND area_id IS NULL)
                         FROM app_user WHERE name = session_user AND active), false)
    """),
    "povmon_reads_log()": ("boolean", """
        SELECT coalesce((SELECT role IN ('county_admin', 'auditor') FROM app_user
                         WHERE name = session_user AND active), false)
    """),
    # a clerk's or auditor's area and every area under it (county -> township -> village)
    "povmon_visible_village_ids()": ("integer[]", """
        WITH RECURSIVE tree(id) AS (
            SELECT area_id FROM app_user
            WHERE name = session_user AND active AND role IN ('clerk', 'auditor') AND area_id IS NOT NULL
            UNION
            SELECT area.id FROM area JOIN tree ON area.parent_id = tree.id)
        SELECT coalesce(array_agg(id), '{}') FROM tree
    """),
    # 户编号 the register holds, with their village, whoever may see them: an import by a clerk refuses a household of
    # another township by name (out_of_scope) instead of failing on the unique code it cannot see (ingest.lookup)
    "povmon_household_villages(codes text[])": ("TABLE(code text, village_id integer)", """
        SELECT household.code::text, household.village_id FROM household
        WHERE household.code = ANY(codes) AND povmon_role() IS NOT NULL
    """),
    # the people (by the keyed hash of their ID number) present in a household, whoever may see it: an import by a
    # clerk refuses a person already present in another township (id_in_other_household) instead of failing on the
    # unique index it cannot see
    "povmon_present_people(hashes text[])": ("TABLE(id_hash text, household_id integer, code text)", """
        SELECT member.id_hash::text, member.household_id, household.code::text
        FROM member JOIN household ON household.id = member.household_id
        WHERE member.id_hash = ANY(hashes) AND member.left_on IS NULL AND povmon_role() IS NOT NULL
    """),
    # a cadre's households: an active pairing (end_on NULL or later than today) to their cadre record
    "povmon_paired_household_ids()": ("integer[]", """
        SELECT coalesce(array_agg(DISTINCT pairing.household_id), '{}')
        FROM pairing JOIN app_user ON app_user.cadre_id = pairing.cadre_id
        WHERE app_user.name = session_user AND app_user.active AND app_user.role = 'cadre'
          AND (pairing.end_on IS NULL OR pairing.end_on > current_date)
    """),
}


def _reach_sql(reach: Reach) -> str:
    """The policy expression for a table reaching a household (the household's own policy does the rest)."""
    column = f'"{reach.column}"'
    if reach.via == "village":
        return (f"{SEES_ALL} OR {column} = ANY ((SELECT povmon_visible_village_ids())::integer[]) "
                "OR id = ANY ((SELECT povmon_paired_household_ids())::integer[])")
    target = {"household": "SELECT id FROM household", "member": "SELECT id FROM member",
              "lead": "SELECT id FROM lead", "id_number": "SELECT id_hash FROM member"}[reach.via]
    expression = f"{SEES_ALL} OR {column} IN ({target})"
    if reach.unmatched == "all":
        expression += f" OR {column} IS NULL"
    elif reach.unmatched == "importer":
        expression += (f' OR ({column} IS NULL AND batch_id IN '
                       '(SELECT id FROM import_batch WHERE "user" = current_user))')
    return expression


def policies() -> dict[str, list[tuple[str, str, str | None, str | None]]]:
    """Every table under RLS -> its policies as (name, command, USING, WITH CHECK)."""
    found: dict[str, list[tuple[str, str, str | None, str | None]]] = {}
    for table, reach in PEOPLE.items():
        expression = _reach_sql(reach)
        found[table] = [("povmon_scope", "ALL", expression, expression)]
    found["audit_log"] = [
        ("povmon_read", "SELECT", '(SELECT povmon_reads_log()) OR "user" = current_user', None),
        # append-only: no UPDATE or DELETE policy, so no login changes a row; each writes only as themselves
        ("povmon_append", "INSERT", None, '"user" = current_user AND (SELECT povmon_role()) IS NOT NULL'),
    ]
    found["app_user"] = [
        ("povmon_self", "SELECT", "name = session_user", None),
        ("povmon_admin", "ALL", "(SELECT povmon_role()) = 'county_admin'", "(SELECT povmon_role()) = 'county_admin'"),
    ]
    return found


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote_identifier(name)


def _tables(connection: Connection) -> set[str]:
    return set(connection.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars())


def install(connection: Connection) -> None:
    """Create the group roles, grant them rules.access's privileges and install the row-level policies.

    Idempotent; run by ``db.upgrade`` as the database owner after every migration, in the caller's transaction.
    A database before the users' migration (no app_user) gets nothing."""
    tables = _tables(connection)
    if "app_user" not in tables:
        return
    schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    qschema = _quote(connection, schema)
    groups = [_quote(connection, group) for group in GROUPS.values()]
    for group in GROUPS.values():
        _create_group(connection, group)
    everyone = ", ".join(groups)
    run = connection.exec_driver_sql
    for name, (returns, body) in _FUNCTIONS.items():
        run(f"CREATE OR REPLACE FUNCTION {qschema}.{name} RETURNS {returns} LANGUAGE sql STABLE SECURITY DEFINER "
            f"SET search_path = {qschema}, pg_temp AS $povmon${body}$povmon$")
        run(f"REVOKE ALL ON FUNCTION {qschema}.{name} FROM PUBLIC")
        run(f"GRANT EXECUTE ON FUNCTION {qschema}.{name} TO {everyone}")
    run(f"GRANT USAGE ON SCHEMA {qschema} TO {everyone}")
    run(f"REVOKE ALL ON ALL TABLES IN SCHEMA {qschema} FROM {everyone}")
    run(f"GRANT SELECT ON ALL TABLES IN SCHEMA {qschema} TO {everyone}")
    run(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {qschema} TO {everyone}")
    for table in sorted(tables - {"alembic_version"}):
        writers = [_quote(connection, GROUPS[role]) for role in access.ROLES if access.may_write(role, table)]
        if writers:
            run(f"GRANT INSERT, UPDATE, DELETE ON {qschema}.{_quote(connection, table)} TO {', '.join(writers)}")
    wanted = {table: rules for table, rules in policies().items() if table in tables}
    for table in sorted(tables):
        _policies_of(connection, schema, qschema, table, wanted.get(table))


def _create_group(connection: Connection, group: str) -> None:
    # Roles belong to the cluster: another database may have made it already, or be making it now.
    if _exists(connection, group):
        return
    try:
        with connection.begin_nested():
            connection.exec_driver_sql(
                "DO $povmon$ BEGIN "
                f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{group}') THEN "
                f'CREATE ROLE "{group}" NOLOGIN; END IF; '
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $povmon$")
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == "42501":
            raise PovmonError(f"建立 povmon 的数据库角色（{group} 等）需要 CREATEROLE 权限；请用超级用户或有 "
                              "CREATEROLE 权限的登录运行一次 povmon db upgrade。") from exc
        raise


def _policies_of(connection: Connection, schema: str, qschema: str, table: str, rules) -> None:
    """Replace povmon's policies on one table (and switch RLS on or off) as ``rules`` says."""
    qtable = f"{qschema}.{_quote(connection, table)}"
    existing = connection.execute(text(
        "SELECT policyname FROM pg_policies WHERE schemaname = :s AND tablename = :t"),
        {"s": schema, "t": table}).scalars().all()
    for name in existing:
        if name.startswith(POLICY_PREFIX):
            connection.exec_driver_sql(f"DROP POLICY {_quote(connection, name)} ON {qtable}")
    enabled = connection.execute(text(
        "SELECT relrowsecurity FROM pg_class WHERE oid = CAST(:t AS regclass)"), {"t": qtable}).scalar_one()
    if not rules:
        if enabled:
            connection.exec_driver_sql(f"ALTER TABLE {qtable} DISABLE ROW LEVEL SECURITY")
        return
    if not enabled:
        connection.exec_driver_sql(f"ALTER TABLE {qtable} ENABLE ROW LEVEL SECURITY")
    for name, command, using, check in rules:
        sql = f"CREATE POLICY {_quote(connection, name)} ON {qtable} FOR {command} TO PUBLIC"
        if using is not None:
            sql += f" USING ({using})"
        if check is not None:
            sql += f" WITH CHECK ({check})"
        connection.exec_driver_sql(sql)


_WHO_MAY = ("只有数据库的所有者或有 CREATEROLE 权限的登录才能建立和停用数据库登录；"
            "请用这样的登录（例如运行 db upgrade 的 postgres）连接后再做。")


def _privileged(connection: Connection, statements: list[str]) -> None:
    """Run role statements; a login without the right gets one sentence saying who may."""
    try:
        with connection.begin_nested():
            for statement in statements:
                connection.exec_driver_sql(statement)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == "42501":
            raise PovmonError(_WHO_MAY) from exc
        raise


def _exists(connection: Connection, name: str) -> bool:
    return connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first() is not None


def _group_statements(connection: Connection, login: str, role: str | None) -> list[str]:
    """GRANT the role's group to the login and REVOKE the other povmon groups it holds."""
    held = set(connection.execute(text(
        "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :n"), {"n": login}).scalars())
    statements = [f"REVOKE {_quote(connection, group)} FROM {_quote(connection, login)}"
                  for group in GROUPS.values() if group in held and group != GROUPS.get(role)]
    if role is not None and GROUPS[role] not in held:
        statements.append(f"GRANT {_quote(connection, GROUPS[role])} TO {_quote(connection, login)}")
    return statements


def _password(connection: Connection, password: str) -> str:
    from psycopg import sql

    raw = connection.connection.dbapi_connection
    return sql.Literal(password).as_string(raw)


def create_login(connection: Connection, name: str, role: str, password: str | None = None) -> bool:
    """Make ``name`` a login in the role's group (rules.access.ROLES); True when the role was created here.

    Roles belong to the whole server: an existing role of that name (made for another database, or disabled
    before) is reused and only given the group — and the password, when one is given."""
    if role not in GROUPS:
        raise PovmonError(f"没有这个角色：{role}；请用 {access.labels(access.ROLES)} 之一。")
    quoted = _quote(connection, name)
    created = not _exists(connection, name)
    statements = []
    if created:
        statements.append(f"CREATE ROLE {quoted} LOGIN" + (f" PASSWORD {_password(connection, password)}"
                                                          if password is not None else ""))
    elif password is not None:
        statements.append(f"ALTER ROLE {quoted} PASSWORD {_password(connection, password)}")
    if created:
        statements.append(f"GRANT {_quote(connection, GROUPS[role])} TO {quoted}")
    else:
        statements.extend(_group_statements(connection, name, role))
    _privileged(connection, statements)
    return created


def set_login(connection: Connection, name: str, active: bool) -> None:
    """Let a login connect again (with its group, from app_user's role) or stop it: NOLOGIN, no povmon group.

    A disabled user's open sessions lose the group's privileges at once and see no rows (app_user.active)."""
    quoted = _quote(connection, name)
    if not _exists(connection, name):
        if active:
            raise PovmonError(f"数据库服务器上没有登录 {name}；请先用 povmon user add 建立。")
        return
    role = None
    if active:
        role = connection.execute(text("SELECT role FROM app_user WHERE name = :n"), {"n": name}).scalar()
        if role is None:
            raise PovmonError(f"povmon 里没有用户 {name}；请先用 povmon user add 建立。")
    statements = [f"ALTER ROLE {quoted} {'LOGIN' if active else 'NOLOGIN'}"]
    statements.extend(_group_statements(connection, name, role))
    _privileged(connection, statements)


def drop_login(connection: Connection, name: str) -> None:
    """Drop a login povmon made (tests and a county clearing a mistaken entry; app_user keeps the name)."""
    if _exists(connection, name):
        _privileged(connection, [f"DROP ROLE {_quote(connection, name)}"])


def rls_tables(connection: Connection) -> set[str]:
    """The tables whose row-level security applies to this connection's login (none for the owner)."""
    return set(connection.execute(text(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND relrowsecurity "
        "AND relnamespace = to_regnamespace(current_schema()) AND row_security_active(oid)")).scalars())
