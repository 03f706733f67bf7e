"""The sample county's generator reproduces the seed's figures before anything is imported."""

from decimal import Decimal

import pytest

from povmon import sample
from povmon.rules import idcard


@pytest.fixture(scope="module")
def county():
    return sample.build()


def _figures(homes):
    day = sample.AS_OF
    present = [h for h in homes if h.present(day)]
    registered = [h for h in present if h.registered]
    return {
        "households": len(present),
        "people": sum(len(h.present(day)) for h in present),
        "registered_households": len(registered),
        "registered_people": sum(len(h.present(day)) for h in registered),
        "exited_households": sum(h.kind == "exited" for h in present),
        "exited_people": sum(len(h.present(day)) for h in present if h.kind == "exited"),
        "poor_people": sum(len(h.present(day)) for h in present if h.kind in ("poor", "returned")),
    }


def test_yezehe(county):
    homes = [h for h in county.homes if h.village == "野则河村"]
    f = _figures(homes)
    assert (f["households"], f["people"], f["registered_households"], f["registered_people"]) == (157, 462, 42, 96)
    assert sum(h.row["耕地面积（亩）"] for h in homes) == Decimal("170")
    codes = {h.code for h in homes}
    loans = [b for b in county.benefits if b["户编号"] in codes and b["政策名称"] == "扶贫小额信贷分红"]
    assert len([b for b in loans if b["日期"].strftime("%Y-%m") == "2018-12"]) == 46
    assert {b["金额"] for b in loans} == {Decimal("3000")}
    pine = [m for m in county.measures if m["户编号"] in codes and "白皮松" in m["措施内容"]]
    assert len(pine) == 28


def test_chakou_exited_by_2017(county):
    homes = [h for h in county.homes if h.village == "岔口村"]
    f = _figures(homes)
    assert (f["households"], f["people"], f["registered_households"], f["registered_people"]) == (207, 616, 17, 28)
    assert all(h.exited and h.exited.year <= 2017 for h in homes if h.registered)


def test_xiying(county):
    homes = [h for h in county.homes if h.township == "西营镇"]
    f = _figures(homes)
    assert f["people"] == 29_287
    assert (f["exited_households"], f["exited_people"]) == (1_783, 4_731)
    assert f["poor_people"] == 82
    assert round(Decimal(f["poor_people"]) / f["people"] * 100, 2) == Decimal("0.28")
    assert len({h.village for h in homes}) == 7
    assert sum(h.row["耕地面积（亩）"] for h in homes) == Decimal("21042")
    assert sum(h.guaranteed for h in homes) == 459
    trained = [m for m in county.measures if m["措施类别"] == "培训"]
    assert len(trained) == 355


def test_every_cadre_is_paired_on_the_day(county):
    day = sample.AS_OF
    active = {p["帮扶干部身份证号"] for p in county.pairings if p["开始日期"] <= day
              and (p["结束日期"] is None or p["结束日期"] > day)}
    assert len(county.cadres) == 2_434 and len(active) == 2_434
    secretaries = [c for c in county.cadres if c["帮扶角色"] == "第一书记"]
    assert len(secretaries) == 73 and len({c["驻村村"] for c in secretaries}) == 73


def test_ids_are_valid_unique_and_mostly_plausible(county):
    numbers = [p.id_number for h in county.homes for p in h.people] + [c["身份证号"] for c in county.cadres]
    assert len(numbers) == len(set(numbers))
    checks = [idcard.check(n) for n in numbers]
    assert all(c.ok for c in checks)
    late = sum(bool(c.warnings) for c in checks)
    assert 0 < late < 50  # a few late registrations (补录户口), shown as id_area warnings


def test_the_same_seed_gives_the_same_county(county):
    again = sample.build()
    assert [h.row for h in again.homes] == [h.row for h in county.homes]
    assert again.pairings == county.pairings and again.incomes == county.incomes
    assert sample.build(seed=7).homes[0].row != county.homes[0].row
