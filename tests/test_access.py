"""Issue 17: roles and scopes in the library — every read and write of a session goes through the acting user's
scope (services.access), on SQLite and PostgreSQL alike. The database's own policies are tested in test_pg_access."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from povmon.errors import NotFound
from povmon.models import AppUser, Household, Income, Member, MonthClose, Visit
from povmon.reports import monthly
from povmon.rules import access as rules
from povmon.services import access
from tests import factories as f

DAY = dt.date(2024, 3, 1)


@pytest.fixture
def county(session):
    """Two townships, a household in each, a cadre paired with the first."""
    east = f.area_tree(session, "西营镇", "东营村")
    west = f.area_tree(session, "水峪贯镇", "西社村")
    mine = f.household(session, "H-EAST", village=east)
    other = f.household(session, "H-WEST", village=west)
    f.income(session, mine, 2023, wage=5000)
    f.income(session, other, 2023, wage=7000)
    cadre = f.cadre(session, "王五")
    f.pairing(session, cadre, mine, dt.date(2020, 1, 1))
    return {"east": east, "west": west, "mine": mine, "other": other, "cadre": cadre}


def user(session, name, role, area=None, cadre=None):
    row = AppUser(name=name, role=role, area_id=area.id if area else None, cadre_id=cadre.id if cadre else None)
    session.add(row)
    session.flush()
    return access.of_user(session, row)


def codes(session):
    return sorted(session.scalars(select(Household.code)))


def test_rules_grants():
    assert rules.may("county_admin", "users") and not rules.may("clerk", "users")
    assert rules.may("clerk", "show_ids") and not rules.may("cadre", "show_ids") and not rules.may("auditor", "edit")
    assert rules.may_write("auditor", "month_close") and not rules.may_write("auditor", "household")
    assert rules.may_write("cadre", "visit") and not rules.may_write("cadre", "member")
    assert rules.role_key("乡镇专干") == "clerk" and rules.role_key("auditor") == "auditor"
    assert rules.role_key("村长") is None


def test_clerk_sees_and_writes_only_their_township(session, county):
    clerk = user(session, "clerk_e", "clerk", area=county["east"].parent)
    assert clerk.area_label == "西营镇" and county["east"].id in clerk.village_ids
    access.install(session, clerk)
    session.expunge_all()  # what the test built is not what the clerk reads
    assert codes(session) == ["H-EAST"]
    assert session.scalar(select(func.count(Member.id))) == 2
    assert session.scalar(select(func.sum(Income.wage))) == 5000
    assert session.get(Household, county["other"].id) is None
    mine = session.scalar(select(Household).where(Household.code == "H-EAST"))
    mine.note = "走访"
    session.flush()  # their own: fine
    with pytest.raises(access.OutOfScope, match=r"水峪贯镇/西社村.*西营镇"):
        session.add(Household(code="H-NEW", village_id=county["west"].id))
        session.flush()


def test_cadre_sees_paired_households_and_writes_only_visits(session, county):
    cadre = user(session, "cadre_w", "cadre", cadre=county["cadre"])
    access.install(session, cadre)
    session.expunge_all()
    assert codes(session) == ["H-EAST"]
    session.add(Visit(household_id=county["mine"].id, cadre_id=county["cadre"].id, visit_date=DAY))
    session.flush()
    with pytest.raises(access.OutOfScope):
        session.add(Visit(household_id=county["other"].id, cadre_id=county["cadre"].id, visit_date=DAY))
        session.flush()
    session.rollback()


def test_cadre_cannot_change_a_member(session, county):
    access.install(session, user(session, "cadre_m", "cadre", cadre=county["cadre"]))
    session.expunge_all()
    member = session.scalars(select(Member)).first()
    member.note = "改"
    with pytest.raises(access.Refused, match="帮扶干部 cadre_m 不能修改"):
        session.flush()


def test_auditor_reads_an_area_and_writes_only_closes(session, county):
    auditor = user(session, "aud", "auditor", area=county["west"].parent)
    access.install(session, auditor)
    session.expunge_all()
    assert codes(session) == ["H-WEST"]
    assert not auditor.may("edit") and auditor.may("close")
    with pytest.raises(access.Refused, match="请由县级管理员、乡镇专干办理"):
        access.require(session, "edit")
    session.add(MonthClose(month="2024-02", as_of=DAY, figures={}, sha256="0" * 64, user="aud"))
    session.flush()
    other = session.scalars(select(Household)).one()
    other.note = "审计改"
    with pytest.raises(access.Refused):
        session.flush()


def test_county_admin_and_single_user_see_everything(session, county):
    access.install(session, user(session, "admin", "county_admin"))
    assert codes(session) == ["H-EAST", "H-WEST"]
    solo = access.single_user("张会计")
    assert solo.single_user and solo.may("users") and solo.sees_all


def test_monthly_summary_counts_only_the_scope(session, county):
    whole = monthly.build(session, "2024-02")
    access.install(session, user(session, "clerk_s", "clerk", area=county["east"].parent))
    session.expunge_all()
    scoped = monthly.build(session, "2024-02")
    assert _people(scoped) == 2 and _people(whole) == 4


def _people(report) -> int:
    return sum(report.people.values())


def _listed(details) -> set[str]:
    rows = [*details.changes, *details.below_line, *details.unpaired, *details.not_visited, *details.quality]
    return {r.place.code for r in rows if r.place is not None}


def test_the_workbooks_lists_hold_only_the_scope(session, county):
    # issue 18: monthly.details queries through the session, so the scope's loader criteria apply to its lists too
    for hh in (county["mine"], county["other"]):
        f.event(session, hh, "identified", dt.date(2024, 2, 10))
    whole = monthly.details(session, monthly.build(session, "2024-02"))
    access.install(session, user(session, "clerk_d", "clerk", area=county["east"].parent))
    session.expunge_all()
    scoped = monthly.details(session, monthly.build(session, "2024-02"))
    assert _listed(whole) == {"H-EAST", "H-WEST"}
    assert _listed(scoped) == {"H-EAST"}


# --- the import: another township's households refused (out_of_scope), the rest imported -----------------------

ROSTER_HEAD = ["户编号", "乡镇", "行政村", "姓名", "身份证号", "与户主关系", "年度", "工资性收入"]


def _roster(tmp_path, rows):
    from tests import workbooks as wb

    return wb.write(tmp_path / "roster.xlsx", {"花名册": [ROSTER_HEAD, *rows]})


def _family(code, town, village):
    from tests import workbooks as wb

    return [[code, town, village, f"户主{code}", wb.pid(), "户主", 2023, 3000],
            [code, town, village, f"配偶{code}", wb.pid(sex="F"), "配偶", 2023, 0]]


def test_clerk_import_refuses_other_townships_households_and_imports_the_rest(session, county, tmp_path):
    from povmon.ingest import ImportOptions, import_files
    from povmon.models import AuditLog

    clerk = user(session, "clerk_i", "clerk", area=county["east"].parent)
    access.install(session, clerk)
    path = _roster(tmp_path, [*_family("E1", "西营镇", "东营村"), *_family("W1", "水峪贯镇", "西社村"),
                              *_family("E2", "西营镇", "新村"), *_family("W2", "水峪贯镇", "新建村")])
    result = import_files(session, [path], ImportOptions(user="clerk_i", as_of=DAY, create_areas=True))
    data = result.as_json()
    scope_errors = [e for e in data["errors"] if e["code"] == "out_of_scope"]
    assert [e["row"] for e in scope_errors] == [4, 8]
    assert "水峪贯镇/西社村" in scope_errors[0]["message"] and "乡镇专干 clerk_i" in scope_errors[0]["message"]
    assert "（西营镇）" in scope_errors[0]["message"]
    assert {e["row"] for e in data["errors"] if e["code"] == "household_rejected"} == {5, 9}
    assert data["counts"]["households"]["created"] == 2 and data["counts"]["households"]["rejected"] == 2
    access.install(session, access.single_user("县里"))
    assert set(session.scalars(select(Household.code))) == {"H-EAST", "H-WEST", "E1", "E2"}
    assert session.scalar(select(func.count(AuditLog.id))) is not None


def test_an_existing_household_of_another_township_is_refused_even_if_the_file_moves_it(session, county, tmp_path):
    from povmon.ingest import ImportOptions, import_files

    access.install(session, user(session, "clerk_m", "clerk", area=county["east"].parent))
    path = _roster(tmp_path, _family("H-WEST", "西营镇", "东营村"))
    result = import_files(session, [path], ImportOptions(user="clerk_m", as_of=DAY))
    assert [e["code"] for e in result.as_json()["errors"]][:1] == ["out_of_scope"]
    session.expunge_all()
    assert session.get(Household, county["other"].id) is None  # still hidden, and not moved
    access.install(session, access.single_user())
    assert session.get(Household, county["other"].id).village_id == county["west"].id


def test_auditor_and_cadre_may_not_import(session, county, tmp_path):
    from povmon.ingest import ImportOptions, import_files

    access.install(session, user(session, "aud_i", "auditor"))
    with pytest.raises(access.Refused, match="导入名册和部门数据"):
        import_files(session, [_roster(tmp_path, _family("E9", "西营镇", "东营村"))], ImportOptions(as_of=DAY))


# --- lookups, --show-ids, the refusal on record ----------------------------------------------------------------

def test_a_household_outside_the_scope_is_refused_by_name_not_found(session, county):
    from povmon.reports.household import household_view

    access.install(session, user(session, "clerk_v", "clerk", area=county["east"].parent))
    session.expunge_all()
    assert household_view(session, "H-EAST", DAY)["code"] == "H-EAST"
    with pytest.raises(access.OutOfScope, match=r"户 H-WEST（水峪贯镇/西社村）不在乡镇专干 clerk_v 的范围（西营镇）内"):
        household_view(session, "H-WEST", DAY)


def test_show_ids_only_for_roles_that_may(session, county):
    from povmon.services import exports

    for name, role in (("c_ids", "cadre"), ("a_ids", "auditor")):
        access.install(session, access.single_user())
        access.install(session, user(session, name, role, cadre=county["cadre"] if role == "cadre" else None))
        with pytest.raises(access.Refused, match="--show-ids"):
            exports.record_household_shown(session, "H-EAST", user=name)
    access.install(session, access.single_user())
    access.install(session, user(session, "k_ids", "clerk", area=county["east"].parent))
    exports.record_household_shown(session, "H-EAST", user="k_ids")


def test_a_refusal_is_recorded(session, county):
    from povmon.models import AuditLog

    actor = access.install(session, user(session, "aud_r", "auditor"))
    try:
        access.require(session, "edit")
    except access.Refused as refusal:
        access.record_refusal(session, actor, refusal, "povmon household edit")
    row = session.scalars(select(AuditLog).where(AuditLog.action == "refused")).one()
    assert row.user == "aud_r" and row.field == "edit" and "审计 aud_r 没有" in row.note


def test_users_service_refuses_on_sqlite_and_validates_names(session):
    from povmon.errors import PovmonError
    from povmon.services import users

    if users.is_single_user(session):
        with pytest.raises(PovmonError, match="单用户运行"):
            users.add(session, "wang", "乡镇专干", area="西营镇", user="admin")
    for bad in ("", "pg_x", "a b", "x" * 64, "povmon_clerk"):
        with pytest.raises(PovmonError):
            users.check_name(bad)
    assert users.check_name(" 王芳 ") == "王芳"


def test_a_cadres_list_search_and_ledger_hold_only_paired_households(session, county):
    from povmon.reports import ledger
    from povmon.services import household_entry

    access.install(session, user(session, "cadre_l", "cadre", cadre=county["cadre"]))
    session.expunge_all()
    rows = household_entry.search(session, as_of=DAY)
    assert [r["code"] if isinstance(r, dict) else r.code for r in rows] == ["H-EAST"]
    with pytest.raises(NotFound, match="帮扶干部 cadre_l 能看到的只是与王五结对的户"):
        ledger.select_households(session, DAY, township="水峪贯镇")
    mine = ledger.select_households(session, DAY, cadre="王五")
    assert list(mine.codes) == ["H-EAST"]
    with pytest.raises(access.OutOfScope):
        ledger.select_households(session, DAY, codes=["H-WEST"])
