import datetime as dt
from decimal import Decimal

from povmon.models import Member
from povmon.rules.income import IncomeYear, per_capita, per_capita_of


def D(x):
    return Decimal(x)


def test_net_is_exact():
    year = IncomeYear(wage=D("11204"), business=D("1971"), business_expense=D("143"), property=D("3000"),
                      transfer=D("1776"))
    assert year.net == D("17808")
    assert per_capita_of(year, 2) == D("8904.00")


def test_rounding_half_up_only_at_the_end():
    assert per_capita(D("10000"), 3) == D("3333.33")
    assert per_capita(D("20000"), 3) == D("6666.67")
    assert per_capita(D("0.05"), 2) == D("0.03")  # 0.025 → 0.03 (half-up, not banker's)
    assert per_capita(D("0.1") + D("0.2"), 1) == D("0.30")  # no float drift
    # rounding the components first would give 0.01 + 0.01; the rule rounds once, at the end
    assert per_capita(D("0.004") + D("0.004"), 1) == D("0.01")


def test_zero_members_gives_no_figure():
    assert per_capita(D("5000"), 0) is None


def test_monthly_entries_are_summed():
    months = [IncomeYear(wage=D("1000.10")) for _ in range(12)]
    assert IncomeYear.total(months).wage == D("12001.20")


def test_expenses_can_make_net_negative():
    assert IncomeYear(business=D("100"), business_expense=D("400")).net == D("-300")
    assert per_capita(D("-300"), 4) == D("-75.00")


def test_deceased_and_moved_out_members_are_not_present():
    day = dt.date(2018, 12, 31)
    members = [
        Member(name="a", relation="head"),
        Member(name="b", relation="spouse", left_on=dt.date(2018, 6, 1), left_reason="deceased"),
        Member(name="c", relation="son", left_on=dt.date(2018, 3, 1), left_reason="moved_out"),
        Member(name="d", relation="daughter", joined_on=dt.date(2019, 2, 1)),  # born after the day
        Member(name="e", relation="daughter", left_on=dt.date(2019, 1, 5), left_reason="deceased"),  # died later
    ]
    present = [m.name for m in members if m.present_on(day)]
    assert present == ["a", "e"]
    assert per_capita(D("9000"), len(present)) == D("4500.00")
    assert members[1].state_on(day) == "deceased"
    assert members[3].state_on(dt.date(2019, 3, 1)) == "added"
    assert members[4].state_on(day) == "present"
