"""The database itself enforces the users' scopes on PostgreSQL (issue 17, pgaccess): each kind of user connects
with their own login and tries, in plain SQL, to read and write outside their scope.

The register is built as the owner (who bypasses RLS, as the DBA does); the logins are cluster-wide, so their
names are unique to the run and they are dropped at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from povmon import crypto, pgaccess
from povmon.cli import app
from povmon.db import make_engine
from povmon.errors import PovmonError
from povmon.models import AuditLog, Base, Lead, LeadStep, PoliticalStatus

from . import factories as f
from .conftest import _admin_engine, _is_pg, _recreate_pg_database

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
TODAY = dt.date.today()


def test_every_table_is_decided():
    """A new table must say whether it holds people's data (and how its rows reach a household) or not."""
    decided = set(pgaccess.PEOPLE) | pgaccess.SPECIAL | set(pgaccess.NOT_PEOPLE)
    assert set(Base.metadata.tables) <= decided, set(Base.metadata.tables) - decided
    assert not set(pgaccess.PEOPLE) & set(pgaccess.NOT_PEOPLE)
    for table, reach in pgaccess.PEOPLE.items():
        assert reach.column in Base.metadata.tables[table].c, table


pytestmark_pg = pytest.mark.skipif(not _is_pg(), reason="row-level security is PostgreSQL's")
SUFFIX = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"


def login_name(label: str) -> str:
    return f"{label}_{SUFFIX}"


def _url(base_url: str, user: str | None = None) -> str:
    url = make_url(base_url)
    return url.set(username=user).render_as_string(hide_password=False) if user else base_url


@contextmanager
def connected(base_url: str, user: str):
    """A plain psycopg connection as a login; everything it did is rolled back at the end."""
    url = make_url(base_url)
    conn = psycopg.connect(host=url.host or "127.0.0.1", port=url.port or 5432, dbname=url.database, user=user)
    conn.execute("SELECT 1")  # in a transaction from here: each write's own block is a savepoint in it
    try:
        yield conn
    finally:
        conn.rollback()
        conn.close()


def rows(conn, sql: str, *params) -> list:
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return [r[0] if len(r) == 1 else r for r in cur.fetchall()]


def affected(conn, sql: str, *params) -> int:
    """Rows a write touched; -1 when the database refused it (RLS check or missing privilege)."""
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.rowcount
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.CheckViolation):
        return -1


class Register:
    url: str
    logins: dict[str, str]
    ids: dict[str, int]


def _add_user(conn, name: str, role: str, **fields) -> None:
    pgaccess.create_login(conn, name, role)
    conn.execute(text("INSERT INTO app_user (name, role, area_id, cadre_id, active, created_at) "
                      "VALUES (:n, :r, :a, :c, true, now())"),
                 {"n": name, "r": role, "a": fields.get("area_id"), "c": fields.get("cadre_id")})


def _drop_logins(url: str, names) -> None:
    engine = make_engine(make_url(url).set(database="postgres").render_as_string(hide_password=False))
    with engine.begin() as conn:
        for name in names:
            pgaccess.drop_login(conn, name)
    engine.dispose()


@pytest.fixture(scope="module")
def register(_cli_template) -> Register:
    """Two townships (西营镇: 东营村, 西营村; 会立乡: 会立村), a household in each village, a cadre paired with
    东营村's household (and formerly with 会立村's), a lead, an audit row, and one user of each kind."""
    if not _is_pg():
        pytest.skip("row-level security is PostgreSQL's")
    template = make_url(_cli_template).database
    name = f"{template[:-5]}_rls{os.getpid()}"
    url = _recreate_pg_database(_cli_template, name, template=template)
    engine = make_engine(url)
    reg = Register()
    reg.url = url
    reg.logins = {key: login_name(label) for key, label in
                  [("admin", "县管"), ("clerk", "王芳"), ("cadre", "帮扶"), ("auditor", "审计"),
                   ("gone", "停用"), ("other", "别人")]}
    with Session(engine) as s, s.begin():
        dongying = f.area_tree(s, "西营镇", "东营村")
        xiying = f.area_tree(s, "西营镇", "西营村")
        huili = f.area_tree(s, "会立乡", "会立村")
        h1 = f.household(s, "1411221040010001", village=dongying)
        h2 = f.household(s, "1411221040020001", village=xiying)
        h3 = f.household(s, "1411222000010001", village=huili)
        for hh in (h1, h2, h3):
            f.income(s, hh, 2018, wage=10000)
        cadre = f.cadre(s, "李四")
        f.pairing(s, cadre, h1, dt.date(2016, 3, 1))
        f.pairing(s, cadre, h3, dt.date(2016, 3, 1), TODAY - dt.timedelta(days=30))
        f.visit(s, cadre, h3, dt.date(2016, 5, 1))
        lead = Lead(household=h3, rule="disability", source="残联", lead_source="department",
                    detected_on=dt.date(2019, 3, 1))
        s.add(lead)
        s.flush()
        s.add(LeadStep(lead=lead, step="visit", step_date=dt.date(2019, 3, 5)))
        s.add(PoliticalStatus(id_number=h3.members[0].id_number, status="party_member", since=dt.date(2000, 1, 1)))
        s.add(AuditLog(user=reg.logins["other"], action="update", table_name="household", row_id=h3.id))
        s.flush()
        reg.ids = {"h1": h1.id, "h2": h2.id, "h3": h3.id, "cadre": cadre.id, "m1": h1.members[0].id,
                   "m3": h3.members[0].id, "xiying_town": dongying.parent_id, "huili_town": huili.parent_id,
                   "huili": huili.id, "dongying": dongying.id}
        conn = s.connection()
        _add_user(conn, reg.logins["admin"], "county_admin")
        _add_user(conn, reg.logins["clerk"], "clerk", area_id=reg.ids["xiying_town"])
        _add_user(conn, reg.logins["cadre"], "cadre", cadre_id=cadre.id)
        _add_user(conn, reg.logins["auditor"], "auditor", area_id=reg.ids["huili_town"])
        _add_user(conn, reg.logins["gone"], "clerk", area_id=reg.ids["huili_town"])
        _add_user(conn, reg.logins["other"], "clerk", area_id=reg.ids["huili_town"])
    engine.dispose()
    yield reg
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    _drop_logins(url, reg.logins.values())


INCOME = ("INSERT INTO income (household_id, year, month, wage, business, business_expense, property, transfer, "
          "compliant_spending, created_at) VALUES (%s, 2019, 0, 0, 0, 0, 0, 0, 0, now())")


def codes(conn) -> set[str]:
    return set(rows(conn, "SELECT code FROM household"))


def test_clerk_sees_only_their_township(register):
    with connected(register.url, register.logins["clerk"]) as conn:
        assert codes(conn) == {"1411221040010001", "1411221040020001"}
        assert set(rows(conn, "SELECT DISTINCT household_id FROM member")) == {register.ids["h1"], register.ids["h2"]}
        assert set(rows(conn, "SELECT household_id FROM income")) == {register.ids["h1"], register.ids["h2"]}
        assert set(rows(conn, "SELECT household_id FROM pairing")) == {register.ids["h1"]}
        assert rows(conn, "SELECT count(*) FROM visit") == [0]
        assert rows(conn, "SELECT count(*) FROM lead") == [0]
        assert rows(conn, "SELECT count(*) FROM lead_step") == [0]
        assert rows(conn, "SELECT count(*) FROM political_status") == [0]
        # joins and reports go through the same rows
        assert rows(conn, "SELECT count(*) FROM member m JOIN household h ON h.id = m.household_id "
                          "JOIN area a ON a.id = h.village_id WHERE a.name = '会立村'") == [0]


def test_clerk_cannot_write_another_township(register):
    ids = register.ids
    with connected(register.url, register.logins["clerk"]) as conn:
        assert affected(conn, "UPDATE household SET note = 'x' WHERE id = %s", ids["h3"]) == 0
        assert affected(conn, "UPDATE member SET name = 'x' WHERE id = %s", ids["m3"]) == 0
        assert affected(conn, "DELETE FROM income WHERE household_id = %s", ids["h3"]) == 0
        assert affected(conn, INCOME, ids["h3"]) == -1
        assert affected(conn, "INSERT INTO household (code, village_id, created_at) "
                              "VALUES ('1411222000010099', %s, now())", ids["huili"]) == -1
        # moving one of their households out of their township is refused too (WITH CHECK)
        assert affected(conn, "UPDATE household SET village_id = %s WHERE id = %s", ids["huili"], ids["h1"]) == -1
        # their own township: yes
        assert affected(conn, "UPDATE member SET name = '张三' WHERE id = %s", ids["m1"]) == 1
        assert affected(conn, INCOME, ids["h2"]) == 1
        assert affected(conn, "INSERT INTO household (code, village_id, created_at) "
                              "VALUES ('1411221040010099', %s, now())", ids["dongying"]) == 1


def test_cadre_sees_paired_households_and_writes_only_visits_there(register):
    ids = register.ids
    with connected(register.url, register.logins["cadre"]) as conn:
        assert codes(conn) == {"1411221040010001"}  # the ended pairing with 会立村's household no longer counts
        assert set(rows(conn, "SELECT DISTINCT household_id FROM member")) == {ids["h1"]}
        assert rows(conn, "SELECT count(*) FROM visit") == [0]
        visit = "INSERT INTO visit (household_id, cadre_id, visit_date, created_at) VALUES (%s, %s, %s, now())"
        assert affected(conn, visit, ids["h1"], ids["cadre"], TODAY) == 1
        assert affected(conn, visit, ids["h2"], ids["cadre"], TODAY) == -1
        assert affected(conn, visit, ids["h3"], ids["cadre"], TODAY) == -1
        assert affected(conn, "UPDATE member SET name = 'x' WHERE id = %s", ids["m1"]) == -1
        assert affected(conn, "DELETE FROM income") == -1


def test_auditor_reads_their_area_and_writes_only_month_close(register):
    ids = register.ids
    with connected(register.url, register.logins["auditor"]) as conn:
        assert codes(conn) == {"1411222000010001"}
        assert rows(conn, "SELECT count(*) FROM lead_step") == [1]
        assert rows(conn, "SELECT count(*) FROM political_status") == [1]
        assert affected(conn, "UPDATE household SET note = 'x' WHERE id = %s", ids["h3"]) == -1
        assert affected(conn, INCOME, ids["h3"]) == -1
        assert affected(conn, "INSERT INTO month_close (month, as_of, figures, sha256, \"user\", closed_at) "
                              "VALUES ('2019-01', '2019-01-31', '{}', 'x', %s, now())",
                        register.logins["auditor"]) == 1
        # an auditor reads the whole audit log
        assert rows(conn, "SELECT count(*) FROM audit_log") == [1]


def test_county_admin_sees_and_changes_everything(register):
    with connected(register.url, register.logins["admin"]) as conn:
        assert len(codes(conn)) == 3
        assert rows(conn, "SELECT count(*) FROM member") == [6]
        assert rows(conn, "SELECT count(*) FROM visit") == [1]
        assert affected(conn, "UPDATE household SET note = 'x'") == 3
        assert rows(conn, "SELECT count(*) FROM app_user") == [6]


def test_county_admin_pays_once_per_statement(register):
    """The "sees everything" test is an InitPlan evaluated once; the household subquery is never run."""
    with connected(register.url, register.logins["admin"]) as conn:
        plan = "\n".join(rows(conn, "EXPLAIN (ANALYZE, COSTS OFF) SELECT count(*) FROM member"))
    assert "InitPlan" in plan and "never executed" in plan, plan


def test_audit_log_is_appended_as_oneself_and_read_as_ones_own(register):
    me = register.logins["clerk"]
    insert = "INSERT INTO audit_log (at, \"user\", action, table_name) VALUES (now(), %s, 'update', 'member')"
    with connected(register.url, me) as conn:
        assert rows(conn, "SELECT count(*) FROM audit_log") == [0]  # another user's row is not theirs
        assert affected(conn, insert, register.logins["other"]) == -1
        assert affected(conn, insert, me) == 1
        assert rows(conn, "SELECT \"user\" FROM audit_log") == [me]
        assert affected(conn, "UPDATE audit_log SET action = 'x'") == 0  # append-only
        assert affected(conn, "DELETE FROM audit_log") == 0


def test_app_user_shows_only_ones_own_row(register):
    with connected(register.url, register.logins["cadre"]) as conn:
        assert rows(conn, "SELECT name FROM app_user") == [register.logins["cadre"]]
        assert affected(conn, "UPDATE app_user SET role = 'county_admin'") == -1


def test_a_disabled_user_cannot_log_in_and_an_open_session_sees_nothing(register):
    gone = register.logins["gone"]
    engine = make_engine(register.url)
    with connected(register.url, gone) as open_session:
        assert codes(open_session) == {"1411222000010001"}
        with engine.begin() as conn:
            pgaccess.set_login(conn, gone, False)
            conn.execute(text("UPDATE app_user SET active = false WHERE name = :n"), {"n": gone})
        open_session.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            codes(open_session)
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        psycopg.connect(host="127.0.0.1", dbname=make_url(register.url).database, user=gone)
    with engine.begin() as conn:  # and back again
        conn.execute(text("UPDATE app_user SET active = true WHERE name = :n"), {"n": gone})
        pgaccess.set_login(conn, gone, True)
    with connected(register.url, gone) as conn:
        assert codes(conn) == {"1411222000010001"}
    engine.dispose()


def test_logins_are_reused_and_made_only_by_who_may(register):
    engine = make_engine(register.url)
    with engine.begin() as conn:  # the role exists already (another database, say): granted again, not made
        assert pgaccess.create_login(conn, register.logins["other"], "clerk") is False
        pgaccess.install(conn)  # idempotent
    clerk = make_engine(_url(register.url, register.logins["clerk"]))
    with clerk.begin() as conn, pytest.raises(PovmonError, match="CREATEROLE"):
        pgaccess.create_login(conn, login_name("新人"), "clerk")
    clerk.dispose()
    engine.dispose()


def test_two_databases_making_the_groups_at_once_both_succeed(register):
    """Roles are the cluster's: a second install that finds the role being made waits, then takes it as made."""
    import threading

    group = login_name("povmon_group")
    first, second = make_engine(register.url), make_engine(register.url)
    done: list = []
    try:
        with first.connect() as a, second.connect() as b:
            a.begin()
            pgaccess._create_group(a, group)
            b.begin()
            waiting = threading.Thread(target=lambda: done.append(pgaccess._create_group(b, group) or True))
            waiting.start()
            waiting.join(1)
            assert not done  # blocked on the first's uncommitted role
            a.commit()
            waiting.join(30)
            assert done == [True]
            b.commit()
    finally:
        first.dispose()
        second.dispose()
        _drop_logins(register.url, [group])


def test_unmatched_department_rows_are_their_importers(register):
    me = register.logins["clerk"]
    with connected(register.url, me) as conn:
        batch = rows(conn, "INSERT INTO import_batch (files, file_name, sha256, \"user\", started_at, error_count, "
                           "warning_count) VALUES ('[]', 'x', 'x', %s, now(), 0, 0) RETURNING id", me)[0]
        number = "142323197001010011"
        assert affected(conn, "INSERT INTO dept_row (batch_id, dept, key, source_row, id_number, id_hash, name, "
                              "event_date) VALUES (%s, '医保', 'k', 1, %s, %s, '某人', '2019-01-01')",
                        batch, crypto.seal(number, "id_number"), crypto.id_hash(number)) == 1
        assert rows(conn, "SELECT count(*) FROM dept_row") == [1]
    with connected(register.url, register.logins["auditor"]) as conn:
        assert rows(conn, "SELECT count(*) FROM dept_row") == [0]


def _monthly(url: str, *args: str) -> dict:
    result = CliRunner().invoke(app, ["report", "monthly", "--month", "2019-06", "--json", "--db", url, *args])
    assert result.exit_code == 0, result.output
    return {entry["name"]: entry for entry in json.loads(result.stdout)["areas"]}


def test_a_clerks_summary_is_the_owners_for_their_township(register):
    """povmon reads through the same policies: the clerk's figures for their township are the owner's."""
    owner = _monthly(register.url, "--area", "西营镇")
    clerk = _monthly(_url(register.url, register.logins["clerk"]))
    assert clerk["西营镇"] == owner["西营镇"]
    assert clerk["西营镇"]["households"] == 2
    assert clerk["会立乡"]["households"] == 0  # not theirs: the database gives none of its rows


def _import(url: str, login: str, workbook: str) -> dict:
    result = CliRunner().invoke(app, ["import", str(SAMPLE / workbook), "--create-areas", "--json",
                                      "--db", _url(url, login), "--user", login])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.skipif(not _is_pg(), reason="row-level security is PostgreSQL's")
def test_import_as_logins_goes_through_the_staging_copy(cli_db):
    """A county administrator imports the county's workbook and a clerk their township's roster, each as their
    own login (COPY into a table under RLS is refused: the rows go through a temporary table)."""
    admin, clerk = login_name("导入管"), login_name("导入专干")
    engine = make_engine(cli_db)
    try:
        with engine.begin() as conn:
            _add_user(conn, admin, "county_admin")
        first = _import(cli_db, admin, "01-交城县-户籍与识别.xlsx")
        assert first["counts"]["households"]["created"] > 1000
        with engine.begin() as conn:
            town = conn.execute(text("SELECT id FROM area WHERE name = '会立乡'")).scalar_one()
            _add_user(conn, clerk, "clerk", area_id=town)
            assert pgaccess.rls_tables(conn) == set()  # the owner copies directly
        second = _import(cli_db, clerk, "02-会立乡-花名册.xlsx")
        created = second["counts"]["households"]["created"]
        assert created > 0
        with connected(cli_db, clerk) as conn:
            assert rows(conn, "SELECT count(*) FROM household") == [created]
            assert set(rows(conn, "SELECT DISTINCT \"user\" FROM audit_log")) <= {clerk}
        with engine.connect() as conn:
            users = set(conn.execute(text('SELECT "user" FROM import_batch')).scalars())
            assert users == {admin, clerk}
    finally:
        engine.dispose()
        _drop_logins(cli_db, [admin, clerk])


for _name, _test in list(globals().items()):
    if _name.startswith("test_") and _name not in ("test_every_table_is_decided",):
        globals()[_name] = pytestmark_pg(_test)
