"""Issue 17 through povmon on PostgreSQL: each kind of user connects with their own login and sees and changes only
what their role and scope allow; refusals are one sentence, exit 1, and on record. (The database's own policies,
through plain SQL, are tests/test_pg_access.py.)"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from povmon.cli import app
from povmon.db import make_engine
from povmon.models import AuditLog, Household

from . import factories as f
from . import workbooks as wb

pytestmark = pytest.mark.skipif(
    not (os.environ.get("POVMON_TEST_DATABASE_URL") or "").startswith("postgres"),
    reason="roles and logins are PostgreSQL's (SQLite runs single-user)")

runner = CliRunner()
_seq = itertools.count()
DAY = dt.date(2024, 3, 1)


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def as_login(url: str, login: str) -> str:
    return make_url(url).set(username=login).render_as_string(hide_password=False)


@pytest.fixture
def county(cli_db, cli_session):
    """Two townships with a household each, a cadre paired with the first; logins made unique per run."""
    east = f.area_tree(cli_session, "西营镇", "东营村")
    west = f.area_tree(cli_session, "水峪贯镇", "西社村")
    mine = f.household(cli_session, "H-EAST", village=east)
    other = f.household(cli_session, "H-WEST", village=west)
    cadre = f.cadre(cli_session, "王五")
    f.pairing(cli_session, cadre, mine, dt.date(2020, 1, 1))
    cli_session.commit()
    tag = f"{os.getpid()}_{next(_seq)}"
    names = {kind: f"t17{kind}_{tag}" for kind in ("clerk", "cadre", "auditor", "admin", "stranger")}
    added = [
        invoke("--db", cli_db, "user", "add", names["clerk"], "--role", "乡镇专干", "--area", "西营镇"),
        invoke("--db", cli_db, "user", "add", names["cadre"], "--role", "帮扶干部", "--cadre", cadre.id_number),
        invoke("--db", cli_db, "user", "add", names["auditor"], "--role", "审计", "--area", "水峪贯镇"),
        invoke("--db", cli_db, "user", "add", names["admin"], "--role", "县级管理员"),
    ]
    assert [r.exit_code for r in added] == [0, 0, 0, 0], [r.output for r in added]
    engine = make_engine(cli_db)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{names["stranger"]}" LOGIN'))
    yield {"db": cli_db, "names": names, "mine": mine, "other": other, "cadre": cadre,
           "url": {k: as_login(cli_db, v) for k, v in names.items()}}
    with engine.begin() as conn:
        for name in names.values():
            conn.execute(text(f'DROP OWNED BY "{name}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    engine.dispose()


def codes(url: str) -> list[str]:
    listed = invoke("household", "list", "--json", "--db", url)
    assert listed.exit_code == 0, listed.output
    data = json.loads(listed.stdout)
    rows = data["households"] if isinstance(data, dict) else data
    return sorted(r["code"] for r in rows)


def audit_rows(cli_session, action: str):
    cli_session.expire_all()
    return cli_session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).all()


def test_user_list_shows_roles_and_scopes(county):
    listed = invoke("user", "list", "--json", "--db", county["db"])
    assert listed.exit_code == 0, listed.output
    data = json.loads(listed.stdout)
    assert data["single_user"] is False
    scopes = {u["name"]: (u["role_label"], u["scope"]) for u in data["users"]}
    assert scopes[county["names"]["clerk"]] == ("乡镇专干", "西营镇")
    assert scopes[county["names"]["auditor"]] == ("审计", "水峪贯镇")
    assert scopes[county["names"]["cadre"]] == ("帮扶干部", "与王五结对的户")
    assert scopes[county["names"]["admin"]] == ("县级管理员", "全县")


def test_each_login_sees_its_scope_through_povmon(county):
    assert codes(county["url"]["clerk"]) == ["H-EAST"]
    assert codes(county["url"]["cadre"]) == ["H-EAST"]
    assert codes(county["url"]["auditor"]) == ["H-WEST"]
    assert codes(county["url"]["admin"]) == ["H-EAST", "H-WEST"]
    shown = invoke("household", "show", "H-WEST", "--db", county["url"]["clerk"])
    assert shown.exit_code == 1 and "能看到的只是西营镇" in shown.stderr and "Traceback" not in shown.output


def test_the_acting_user_is_the_login(county, cli_session):
    clerk = county["names"]["clerk"]
    other = invoke("household", "edit", "H-EAST", "住房安全", "B级", "--user", "某某", "--db", county["url"]["clerk"])
    assert other.exit_code == 1 and f"现在是 {clerk}" in other.stderr
    edited = invoke("household", "edit", "H-EAST", "住房安全", "B级", "--db", county["url"]["clerk"])
    assert edited.exit_code == 0, edited.output
    assert [r.user for r in audit_rows(cli_session, "update")] == [clerk]
    stranger = invoke("household", "list", "--db", county["url"]["stranger"])
    assert stranger.exit_code == 1 and "povmon user add" in stranger.stderr and "Traceback" not in stranger.output


def test_refusals_are_one_sentence_and_on_record(county, cli_session):
    auditor, cadre = county["names"]["auditor"], county["names"]["cadre"]
    edit = invoke("household", "edit", "H-WEST", "住房安全", "B级", "--db", county["url"]["auditor"])
    assert edit.exit_code == 1 and "审计" in edit.stderr and "Traceback" not in edit.output
    ids = invoke("household", "show", "H-EAST", "--show-ids", "--db", county["url"]["cadre"])
    assert ids.exit_code == 1 and "--show-ids" in ids.stderr
    refused = audit_rows(cli_session, "refused")
    assert [(r.user, r.field) for r in refused] == [(auditor, "write"), (cadre, "show_ids")]
    assert "household edit" in refused[0].note
    cli_session.expire_all()
    assert cli_session.scalar(select(Household.housing_safety).where(Household.code == "H-WEST")) is None


def test_a_cadre_records_a_visit_to_a_paired_household_only(county):
    url, cadre = county["url"]["cadre"], county["cadre"].id_number
    ok = invoke("visit", "add", "H-EAST", "--cadre", cadre, "--date", "2024-02-01", "--done", "了解收入", "--db", url)
    assert ok.exit_code == 0, ok.output
    no = invoke("visit", "add", "H-WEST", "--cadre", cadre, "--date", "2024-02-01", "--done", "了解收入", "--db", url)
    assert no.exit_code == 1 and "Traceback" not in no.output


def test_a_clerk_import_refuses_another_townships_households(county, tmp_path, cli_session):
    head = ["户编号", "乡镇", "行政村", "姓名", "身份证号", "与户主关系", "年度", "工资性收入"]
    rows = [["E1", "西营镇", "东营村", "张一", wb.pid(), "户主", 2023, 3000],
            ["W1", "水峪贯镇", "西社村", "李二", wb.pid(), "户主", 2023, 3000]]
    path = wb.write(tmp_path / "roster.xlsx", {"花名册": [head, *rows]})
    result = invoke("import", path, "--json", "--as-of", DAY.isoformat(), "--db", county["url"]["clerk"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(e["row"], e["code"]) for e in data["errors"]] == [(3, "out_of_scope")]
    assert "水峪贯镇/西社村" in data["errors"][0]["message"]
    cli_session.expire_all()
    assert set(cli_session.scalars(select(Household.code))) == {"H-EAST", "H-WEST", "E1"}
    batch_user = cli_session.scalar(text("SELECT \"user\" FROM import_batch ORDER BY id DESC LIMIT 1"))
    assert batch_user == county["names"]["clerk"]


def test_a_disabled_user_can_no_longer_connect(county):
    clerk = county["names"]["clerk"]
    off = invoke("--db", county["db"], "user", "disable", clerk)
    assert off.exit_code == 0, off.output
    refused = invoke("household", "list", "--db", county["url"]["clerk"])
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    back = invoke("--db", county["db"], "user", "enable", clerk)
    assert back.exit_code == 0 and codes(county["url"]["clerk"]) == ["H-EAST"]


def test_a_clerk_import_naming_a_hidden_household_is_refused_by_name(county, tmp_path, cli_session):
    """H-WEST exists in 水峪贯镇 but the clerk's login cannot see it: the file placing it in 西营镇 gets out_of_scope
    (the database's function says where it is), not a failed write on its code."""
    head = ["户编号", "乡镇", "行政村", "姓名", "身份证号", "与户主关系", "年度", "工资性收入"]
    rows = [["H-WEST", "西营镇", "东营村", "假户主", wb.pid(), "户主", 2023, 3000],
            ["E2", "西营镇", "东营村", "张二", wb.pid(), "户主", 2023, 3000]]
    path = wb.write(tmp_path / "hidden.xlsx", {"花名册": [head, *rows]})
    result = invoke("import", path, "--json", "--as-of", DAY.isoformat(), "--db", county["url"]["clerk"])
    assert result.exit_code == 0, result.output
    errors = json.loads(result.stdout)["errors"]
    assert [(e["row"], e["code"]) for e in errors] == [(2, "out_of_scope")]
    assert "户 H-WEST（水峪贯镇/西社村）" in errors[0]["message"]
    cli_session.expire_all()
    moved = cli_session.scalar(select(Household.village_id).where(Household.code == "H-WEST"))
    assert moved == county["other"].village_id


def test_a_clerk_import_of_a_person_present_in_another_township_says_where(county, tmp_path, cli_session):
    """A person already present in H-WEST (水峪贯镇, hidden from the clerk) cannot join a 西营镇 household: the import
    reports id_in_other_household with the household's code, as it does for a household the clerk can see."""
    from povmon.models import Member

    present = cli_session.scalars(select(Member).where(Member.household_id == county["other"].id)).first()
    head = ["户编号", "乡镇", "行政村", "姓名", "身份证号", "与户主关系", "年度", "工资性收入"]
    rows = [["E3", "西营镇", "东营村", "王三", present.id_number, "户主", 2023, 3000],
            ["E4", "西营镇", "东营村", "王四", wb.pid(), "户主", 2023, 3000]]
    path = wb.write(tmp_path / "moved.xlsx", {"花名册": [head, *rows]})
    result = invoke("import", path, "--json", "--as-of", DAY.isoformat(), "--db", county["url"]["clerk"])
    assert result.exit_code == 0, result.output
    errors = json.loads(result.stdout)["errors"]
    assert [(e["row"], e["code"]) for e in errors] == [(2, "id_in_other_household")]
    assert "户 H-WEST" in errors[0]["message"]
    cli_session.expire_all()
    assert "E4" in set(cli_session.scalars(select(Household.code)))
