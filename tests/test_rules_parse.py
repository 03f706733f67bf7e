import datetime as dt
from decimal import Decimal

import pytest

from povmon.rules import lines, parse
from povmon.rules.exit_standard import HouseholdFacts, MemberFacts, check, failing, met
from povmon.rules.vocab import RELATION


@pytest.mark.parametrize(
    "raw, expected",
    [("1,234.50", "1234.50"), ("3000元", "3000.00"), ("３０００元", "3000.00"), (None, "0.00"), ("", "0.00"),
     (3000, "3000.00"), (3000.1, "3000.10"), (Decimal("12.30"), "12.30"), ("¥12", "12.00"), (" 7 ", "7.00"),
     (1234.5600000000002, "1234.56"), (".5", "0.50")],
)
def test_amounts(raw, expected):
    assert parse.amount(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["abc", "12,3a", "一千", True, "1e3", "1234.567", 1234.567, Decimal("12.345"),
                                 "nan", "inf", "-300"])
def test_bad_amounts(raw):
    with pytest.raises(parse.ValueProblem) as info:
        parse.amount(raw)
    assert info.value.code == "bad_number"


@pytest.mark.parametrize("raw, expected", [(2016, 2016), ("2016年", 2016), (2016.0, 2016), ("2016", 2016),
                                           (dt.date(2016, 5, 1), 2016), (None, None)])
def test_years(raw, expected):
    assert parse.year(raw) == expected


@pytest.mark.parametrize("raw", ["二〇一六", "16", 2016.5, "2016-13"])
def test_bad_years(raw):
    with pytest.raises(parse.ValueProblem) as info:
        parse.year(raw)
    assert info.value.code == "bad_date"


@pytest.mark.parametrize(
    "raw", [dt.date(2016, 3, 1), dt.datetime(2016, 3, 1, 0, 0), "2016-03-01", "2016.3.1", "2016/3/1", "2016年3月1日",
            "20160301", 42430]
)
def test_dates(raw):
    assert parse.date(raw) == dt.date(2016, 3, 1)


@pytest.mark.parametrize("raw", ["2016-02-30", "3/1/2016", "去年", "2016.13.1"])
def test_bad_dates(raw):
    with pytest.raises(parse.ValueProblem) as info:
        parse.date(raw)
    assert info.value.code == "bad_date"


def test_year_only_means_31_december():
    assert parse.date_or_year(2016) == (dt.date(2016, 12, 31), True)
    assert parse.date_or_year("2016-03-01") == (dt.date(2016, 3, 1), False)
    assert parse.month_end(2019, 1) == dt.date(2019, 1, 31)
    assert parse.month_end(2020, 2) == dt.date(2020, 2, 29)
    assert parse.month_end(2019, 12) == dt.date(2019, 12, 31)


def test_terms_name_the_accepted_values():
    assert parse.term(RELATION, "儿子") == "son"
    with pytest.raises(parse.ValueProblem) as info:
        parse.term(RELATION, "邻居")
    assert info.value.code == "bad_value"
    assert "邻居" in info.value.message and "户主" in info.value.message


def test_integers():
    assert parse.integer("3") == 3 and parse.integer(3.0) == 3 and parse.integer("5人", unit="人") == 5
    with pytest.raises(parse.ValueProblem):
        parse.integer(3.5)
    with pytest.raises(parse.ValueProblem):
        parse.integer(13, low=0, high=12)


def test_shipped_lines_and_county_overrides():
    shipped = lines.shipped()
    assert lines.resolve(shipped, 2013, "poverty").yuan == Decimal("2736.00")
    assert lines.resolve(shipped, 2014, "poverty").yuan == Decimal("2800.00")
    derived = lines.resolve(shipped, 2018, "monitoring")
    assert derived.derived and derived.yuan == lines.resolve(shipped, 2018, "poverty").yuan * Decimal("1.5")
    assert lines.resolve(shipped, 2021, "monitoring").yuan == Decimal("6000.00")
    assert lines.resolve(shipped, 2009, "poverty") is None
    county = [*shipped, *lines.parse_csv("year,region,kind,yuan\n2018,山西省,poverty,3200\n")]
    assert lines.resolve(county, 2018, "poverty").yuan == Decimal("3200.00")
    assert lines.resolve(county, 2018, "poverty", region="national").yuan == Decimal("2995.00")
    with pytest.raises(lines.LineFileError, match="第2行"):
        lines.parse_csv("年度,类别,标准\n2018,贫困线,abc\n")


def _facts(**kw):
    base = dict(per_capita=Decimal("5000"), income_year=2017, poverty_line=Decimal("2952"), food_clothing_secure=True,
                housing_safety="B", safe_water=True,
                members=[MemberFacts("甲", dt.date(1970, 1, 1), "not_student", "healthy", True),
                         MemberFacts("乙", dt.date(2008, 5, 1), "junior", "healthy", True)])
    base.update(kw)
    return HouseholdFacts(**base)


def test_exit_standard_met_and_failing_items():
    day = dt.date(2018, 6, 1)
    assert met(check(_facts(), day))
    items = check(_facts(per_capita=Decimal("2900"), housing_safety="C"), day)
    assert [i.key for i in failing(items)] == ["income", "housing"]
    dropout = _facts(members=[MemberFacts("乙", dt.date(2008, 5, 1), "not_student", "healthy", True)])
    assert [i.key for i in failing(check(dropout, day))] == ["education"]
    excused = _facts(members=[MemberFacts("乙", dt.date(2008, 5, 1), "not_student", "disabled", True)])
    assert met(check(excused, day))
    uninsured = _facts(members=[MemberFacts("甲", dt.date(1970, 1, 1), None, "healthy", False)])
    assert [i.key for i in failing(check(uninsured, day))] == ["medical"]
    unknown = check(_facts(safe_water=None, per_capita=None), day)
    assert {i.key: i.met for i in unknown}["water"] is None and not met(unknown)
