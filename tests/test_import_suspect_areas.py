"""--create-areas never creates a misspelt village (issue 10 item 9): before creating an area from a household's
row the importer checks the statistical code the 户编号 carries and the names of the township's villages; a likely
typo is the error ``area_suspect`` naming the probable area, unless the clerk names the new area explicitly."""

import datetime as dt

from sqlalchemy import select

from povmon.ingest import ImportOptions, import_files
from povmon.models import Area, Household

from . import factories as f
from . import workbooks as wb

AS_OF = dt.date(2019, 1, 31)
ROSTER = ["户编号", "乡镇", "行政村", "姓名", "身份证号", "与户主关系"]
HEADLESS = ["乡镇", "行政村", "姓名", "身份证号", "与户主关系"]


def _register(session):
    """交城县/会立乡/岔口村 with its statistical codes, as an earlier import or area add left it."""
    village = f.area_tree(session, "会立乡", "岔口村")
    village.code, village.parent.code = "141122104001", "141122104"
    session.flush()
    return village


def _import(session, tmp_path, sheets):
    path = wb.write(tmp_path / "in.xlsx", sheets)
    return import_files(session, [path], ImportOptions(user="t", as_of=AS_OF, create_areas=True))


def _villages(session):
    return sorted(session.scalars(select(Area.name).where(Area.level == "village")))


def test_a_village_whose_code_the_register_has_under_another_name_is_suspect(session, tmp_path):
    _register(session)
    result = _import(session, tmp_path, {"花名册": [ROSTER, ["1411221040010099", "会立乡", "岔口材", "赵六",
                                                            f.new_id(), "户主"]]})
    [problem] = [p for p in result.errors if p.code != "household_rejected"]
    assert (problem.code, problem.column, problem.value, problem.row) == ("area_suspect", "行政村", "岔口材", 2)
    assert "是否为 岔口村？" in problem.message and "141122104001" in problem.message
    assert "行政区划" in problem.message  # how to say it is a new village after all
    assert _villages(session) == ["岔口村"]
    assert session.scalar(select(Household.id).where(Household.code == "1411221040010099")) is None


def test_within_one_file_the_name_most_households_carry_with_a_code_wins(session, tmp_path):
    f.area_tree(session, "会立乡", "某村")  # the county and township exist; neither village does
    rows = [ROSTER, ["1411221040010001", "会立乡", "岔口材", "甲", f.new_id(), "户主"]]
    rows += [[f"141122104001{n:04d}", "会立乡", "岔口村", f"乙{n}", f.new_id(), "户主"] for n in range(2, 5)]
    result = _import(session, tmp_path, {"花名册": rows})
    suspects = [p for p in result.errors if p.code == "area_suspect"]
    assert [(p.row, p.value) for p in suspects] == [(2, "岔口材")] and "是否为 岔口村？" in suspects[0].message
    assert "岔口村" in _villages(session) and "岔口材" not in _villages(session)
    assert result.counts["households"]["created"] == 3


def test_without_codes_only_a_mistyped_level_word_is_suspect(session, tmp_path):
    _register(session)
    rows = [HEADLESS, ["会立乡", "岔口材", "甲", f.new_id(), "户主"], ["会立乡", "岔口", "乙", f.new_id(), "户主"],
            ["会立乡", "西口村", "丙", f.new_id(), "户主"]]
    result = _import(session, tmp_path, {"花名册": rows})
    suspects = {p.value: p.message for p in result.errors if p.code == "area_suspect"}
    assert set(suspects) == {"岔口材", "岔口"} and all("是否为 岔口村？" in m for m in suspects.values())
    assert _villages(session) == ["岔口村", "西口村"]  # another name is another village


def test_a_village_the_clerk_names_in_the_area_sheet_is_created(session, tmp_path):
    _register(session)
    areas = [["县", "乡镇", "行政村", "区划代码"], ["交城县", "会立乡", "岔口材", "141122104009"]]
    roster = [ROSTER, ["1411221040090001", "会立乡", "岔口材", "赵六", f.new_id(), "户主"]]
    result = _import(session, tmp_path, {"行政区划": areas, "花名册": roster})
    assert result.errors == []
    assert _villages(session) == ["岔口材", "岔口村"]
