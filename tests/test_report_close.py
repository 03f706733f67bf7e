"""Month closes: store, list, recompute and explain what changed since."""

import datetime as dt

import pytest

from povmon.errors import PovmonError
from povmon.models import AuditLog, MonthClose
from povmon.reports import close as closing
from povmon.reports import monthly
from povmon.services import audit, closes

from . import factories as f
from . import monthly_register as reg


def close_month(session, month, area=None, **kw):
    """Close a month (services.closes) from its report, as ``povmon report close`` does; (close, report)."""
    report = monthly.build(session, month, area)
    return closes.close_month(session, report, **kw), report

D = dt.date
TODAY = D(2019, 3, 1)


def test_close_stores_the_figures_their_hash_the_user_and_time(session):
    reg.build(session)
    stored, report = close_month(session, reg.MONTH, user="审计甲", note="一月账", today=TODAY)
    assert stored.figures == reg.EXPECTED == report.as_json()
    assert stored.sha256 == closing.digest(reg.EXPECTED) and len(stored.sha256) == 64
    assert (stored.month, stored.area, stored.as_of, stored.user) == ("2019-01", None, D(2019, 1, 31), "审计甲")
    assert stored.note.endswith("一月账") and stored.closed_at is not None
    assert [c.id for c in closing.list_closes(session)] == [stored.id]
    assert closing.close_json(session, stored)["scope"] == "全部区划"
    logged = session.query(AuditLog).filter_by(table_name="month_close", row_id=stored.id).one()
    assert logged.user == "审计甲" and logged.action == "insert" and stored.sha256 in logged.note


def test_a_closed_month_recomputes_to_the_same_figures_after_later_dated_records(session):
    built = reg.build(session)
    close_month(session, reg.MONTH, user="审计甲", today=TODAY)
    hh = built["households"]
    f.event(session, hh["H1"], "exited", D(2019, 2, 1), created_by="录入员")
    f.visit(session, built["cadres"]["李一"], hh["H2"], D(2019, 2, 2))
    comparison = closing.compare(session, monthly.build(session, reg.MONTH))
    assert comparison is not None and comparison.same and comparison.intact
    assert comparison.differences == [] and comparison.changes == []


def test_a_back_dated_change_after_the_close_is_reported_with_who_and_when(session):
    built = reg.build(session)
    close_month(session, reg.MONTH, user="审计甲", today=TODAY)
    hh = built["households"]
    late = f.event(session, hh["H8"], "identified", D(2019, 1, 15), created_by="王会计")
    # an edit through the audit log: H2's exit moved out of the period (2017 → 2019-02), so H2 is poor in January
    exit_event = next(e for e in hh["H2"].events if e.kind == "exited")
    audit.update(session, exit_event, {"event_date": D(2019, 2, 1)}, user="李会计")
    comparison = closing.compare(session, monthly.build(session, reg.MONTH))
    assert comparison is not None and not comparison.same and comparison.intact
    diffs = {(d.area, d.field): (d.closed, d.now) for d in comparison.differences}
    assert diffs[("交城县", "registered_households")] == (6, 7)
    assert diffs[("会立乡/岔口村", "identified")] == (0, 1)
    assert diffs[("西营镇/东营村", "exited_households")] == (1, 0)
    assert diffs[("西营镇/东营村", "poor_households")] == (2, 3)
    assert ("西营村" not in {d.area.split("/")[-1] for d in comparison.differences})
    by_user = {c.user: c for c in comparison.changes}
    assert set(by_user) == {"王会计", "李会计"}
    assert by_user["王会计"].household == "H8" and by_user["王会计"].action == "新建"
    assert by_user["王会计"].effective == "2019-01-15" and by_user["王会计"].at == late.created_at
    assert by_user["李会计"].household == "H2" and by_user["李会计"].action == "修改"
    assert "2017-12-31" in by_user["李会计"].detail and "2019-02-01" in by_user["李会计"].detail
    data = comparison.as_json()
    assert data["same"] is False and len(data["changes"]) == 2
    assert sorted((kind, action, user, n) for kind, action, user, _, n in comparison.summary()) == [
        ("识别账事件", "修改", "李会计", 1), ("识别账事件", "新建", "王会计", 1)]


def test_a_new_household_with_undated_members_is_listed_once(session):
    built = reg.build(session)
    close_month(session, reg.MONTH, user="审计甲", today=TODAY)
    f.household(session, "H11", village=built["areas"]["岔口村"], members=reg.people(3), created_by="补录员")
    comparison = closing.compare(session, monthly.build(session, reg.MONTH))
    assert [(c.table, c.household, c.user) for c in comparison.changes] == [("household", "H11", "补录员")]
    assert {d.field for d in comparison.differences} == {"households", "people", "incidence_pct"}


def test_tampered_figures_are_detected(session):
    reg.build(session)
    stored, _ = close_month(session, reg.MONTH, user="审计甲", today=TODAY)
    figures = dict(stored.figures)
    figures["as_of"] = "2019-01-30"
    stored.figures = figures  # changed behind povmon's back: the hash no longer matches
    session.flush()
    comparison = closing.compare(session, monthly.build(session, reg.MONTH))
    assert comparison is not None and not comparison.intact and not comparison.same


def test_closing_twice_needs_again_and_keeps_the_first(session):
    reg.build(session)
    close_month(session, reg.MONTH, user="审计甲", today=TODAY)
    with pytest.raises(PovmonError, match=r"已于 .* 由 审计甲 结账.*--again"):
        close_month(session, reg.MONTH, user="审计乙", today=TODAY)
    close_month(session, reg.MONTH, user="审计乙", again=True, today=TODAY)
    assert [c.user for c in closing.list_closes(session, "2019-01")] == ["审计甲", "审计乙"]


def test_a_month_not_yet_over_cannot_be_closed(session):
    reg.build(session)
    with pytest.raises(PovmonError, match="还没有结束"):
        close_month(session, "2019-01", user="审计甲", today=D(2019, 1, 31))


def test_area_closes_cover_their_subtree(session):
    built = reg.build(session)
    stored, _ = close_month(session, reg.MONTH, "西营镇", user="审计甲", today=TODAY)
    assert stored.area == "141122100" and stored.figures["areas"] == reg.EXPECTED["areas"][1:4]
    # the whole register, compared on the areas the close covers
    whole = closing.compare(session, monthly.build(session, reg.MONTH))
    assert whole is not None and whole.same and whole.compared_areas == 3
    # a village below it is covered too
    village = closing.compare(session, monthly.build(session, reg.MONTH, "东营村"))
    assert village is not None and village.same and village.compared_areas == 1
    # 会立乡 is not covered by that close
    assert closing.compare(session, monthly.build(session, reg.MONTH, "会立乡")) is None
    # a change in 会立乡 is not a difference for the 西营镇 close
    f.event(session, built["households"]["H8"], "identified", D(2019, 1, 15))
    assert closing.compare(session, monthly.build(session, reg.MONTH)).same
    # a county close made later is preferred for the whole register
    close_month(session, reg.MONTH, user="审计乙", today=TODAY)
    assert closing.compare(session, monthly.build(session, reg.MONTH)).close.user == "审计乙"


def test_closes_are_stored_as_month_close_rows(session):
    reg.build(session)
    close_month(session, reg.MONTH, "会立乡/岔口村", user="审计甲", today=TODAY)
    row = session.query(MonthClose).one()
    assert row.area == "141122200201"
    assert closing.scope_name(session, row) == "交城县/会立乡/岔口村"


def test_a_close_made_before_the_lead_keys_is_not_changed_by_them(session):
    reg.build(session)
    stored, _ = close_month(session, reg.MONTH, user="审计甲", today=TODAY)
    figures = {**stored.figures, "areas": [{k: v for k, v in e.items() if k not in monthly.LEAD_FIELDS}
                                           for e in stored.figures["areas"]]}
    stored.figures, stored.sha256 = figures, closing.digest(figures)  # as a close of before issue 12 item 9
    session.flush()
    comparison = closing.compare(session, monthly.build(session, reg.MONTH))
    assert comparison is not None and comparison.intact and comparison.differences == []
    county = stored.figures["areas"][0]
    stored.figures = {**figures, "areas": [{**county, "leads_open": 3}, *figures["areas"][1:]]}
    stored.sha256 = closing.digest(stored.figures)
    session.flush()  # a close that has them compares them
    assert [d.field for d in closing.compare(session, monthly.build(session, reg.MONTH)).differences] == ["leads_open"]
