"""The same bad value or household gets the same code and the same message from ``povmon import`` and from the
data-entry commands (issue 7: “validates exactly as the importer does”).

Each case puts one fact through import_files (a small workbook built here) and through the data-entry service
that takes the same fact, and compares code and message; the last test does it through the CLI, where a
data-entry command names the field before the message, as the importer's table shows it as the column.
"""

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from povmon.cli import app
from povmon.errors import NotFound
from povmon.ingest import ImportOptions, import_files
from povmon.models import Member
from povmon.rules import idcard
from povmon.services import areas, benefits, cadres, events, household_entry, incomes, members
from povmon.services import households as hh
from povmon.services.entry import Refused

from . import factories as f
from . import workbooks as wb

AS_OF = dt.date(2019, 1, 31)
U = f.acting("clerk1")
MEMBER_SHEET = ["户编号", "姓名", "身份证号", "与户主关系", "成员状态", "状态日期"]
ROSTER = ["户编号", "乡镇", "行政村", "姓名", "身份证号", "与户主关系"]


def imported(session, tmp_path, sheets: dict[str, list[list]]) -> list:
    """The problems an import reports (errors, then warnings), without the household_rejected of innocent rows."""
    path = wb.write(tmp_path / "in.xlsx", sheets)
    result = import_files(session, [path], ImportOptions(user="t", as_of=AS_OF))
    return [p for p in (*result.errors, *result.warnings) if p.code != "household_rejected"]


def refused(call) -> list:
    with pytest.raises(Refused) as exc:
        call()
    return exc.value.problems


def same(from_import, from_entry) -> None:
    """One problem each way, with one code and one message."""
    assert [(p.code, p.message) for p in from_import] == [(p.code, p.message) for p in from_entry]


@pytest.fixture
def register(session):
    """交城县/西营镇/东营村 with H1 (head 张三) and H2 (head 王五), entered by hand."""
    village = f.area_tree(session, "西营镇", "东营村")
    h1 = household_entry.add(session, code="H1", village=village, head_name="张三",
                             head_id=f.new_id(dt.date(1950, 3, 1)), user=U).stored[0]
    h2 = household_entry.add(session, code="H2", village=village, head_name="王五",
                             head_id=f.new_id(dt.date(1960, 3, 1)), user=U).stored[0]
    return h1, h2


def add_member(session, household, **kw):
    values = {"name": "李四", "id_number": f.new_id(dt.date(1990, 1, 1)), "relation": "之子", "reason": "迁入",
              "joined_on": "2019-01-01", "user": U} | kw
    return members.add(session, household, **values)


def test_a_relation_the_register_does_not_know(session, tmp_path, register):
    h1, _ = register
    number = f.new_id(dt.date(1990, 1, 1))
    from_import = imported(session, tmp_path, {"家庭成员": [MEMBER_SHEET, ["H1", "李四", number, "邻居"]]})
    assert (from_import[0].column, from_import[0].row) == ("与户主关系", 2)
    from_entry = refused(lambda: add_member(session, h1, id_number=number, relation="邻居"))
    same(from_import, from_entry)
    assert from_entry[0].code == "bad_value" and "可填：户主、配偶" in from_entry[0].message


def test_a_second_head(session, tmp_path, register):
    h1, _ = register
    number = f.new_id(dt.date(1980, 1, 1))
    from_import = imported(session, tmp_path, {"家庭成员": [MEMBER_SHEET, ["H1", "李四", number, "户主"]]})
    from_entry = refused(lambda: add_member(session, h1, id_number=number, relation="户主"))
    same(from_import, from_entry)
    assert from_entry[0].code == "multiple_heads"
    assert from_entry[0].message.startswith("户 H1 有2位户主（张三、李四）") and "更换户主" in from_entry[0].message


def test_two_heads_the_register_already_has_are_not_blamed_on_a_new_member(session, tmp_path, register):
    h1, _ = register
    number = f.new_id(dt.date(1952, 1, 1))
    h1.members.append(Member(name="张二", id_number=number, relation="head", sex=idcard.sex(number),
                             birth_date=idcard.birth_date(number)))  # an old register's mistake
    session.flush()
    assert imported(session, tmp_path, {"家庭成员": [MEMBER_SHEET, ["H1", "李四", f.new_id(), "之子"]]}) == []
    assert add_member(session, h1).stored  # data entry takes the same member too
    # a third head is refused, naming the register's two
    again = refused(lambda: add_member(session, h1, name="赵七", relation="户主"))
    assert again[0].code == "multiple_heads" and again[0].message.startswith("户 H1 有3位户主（张三、张二、赵七）")


def test_a_person_present_in_another_household(session, tmp_path, register):
    h1, h2 = register
    number = h1.members[0].id_number  # 张三, on H1's register
    from_import = imported(session, tmp_path, {"家庭成员": [MEMBER_SHEET, ["H2", "张三", number, "之父"]]})
    from_entry = refused(lambda: add_member(session, h2, name="张三", id_number=number, relation="之父"))
    same(from_import, from_entry)
    assert from_entry[0].code == "id_in_other_household" and "已是户 H1 的在册成员" in from_entry[0].message
    assert number not in from_entry[0].message  # masked in the message; the importer's value column has it all


def test_an_unknown_village(session, tmp_path, register):
    number = f.new_id()
    from_import = imported(session, tmp_path, {"花名册": [ROSTER, ["H9", "西营镇", "新村", "赵六", number, "户主"]]})
    assert from_import[0].column == "行政村"
    from_entry = refused(lambda: household_entry.add(session, code="H9", village="西营镇/新村", head_name="赵六",
                                                     head_id=number, user=U))
    same(from_import, from_entry)
    assert from_entry[0].code == "unknown_area" and "“新村”的村（交城县/西营镇）" in from_entry[0].message


def test_an_id_with_a_wrong_check_digit(session, tmp_path, register):
    h1, _ = register
    good = f.new_id(dt.date(1990, 1, 1))
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    from_import = imported(session, tmp_path, {"家庭成员": [MEMBER_SHEET, ["H1", "李四", bad, "之子"]]})
    from_entry = refused(lambda: add_member(session, h1, id_number=bad))
    same(from_import, from_entry)
    assert from_entry[0].code == "id_checksum"


def test_a_date_that_is_not_one(session, tmp_path, register):
    h1, _ = register
    number = f.new_id(dt.date(1990, 1, 1))
    from_import = imported(session, tmp_path,
                           {"家庭成员": [MEMBER_SHEET, ["H1", "李四", number, "之子", "新增", "2019-13-01"]]})
    from_entry = refused(lambda: add_member(session, h1, id_number=number, joined_on="2019-13-01"))
    same(from_import, from_entry)
    assert from_entry[0].code == "bad_date"


def test_more_values_and_references_judged_alike(session, tmp_path, register):
    h1, _ = register
    # a negative amount, a name longer than the register holds, an unknown cadre
    from_import = imported(session, tmp_path, {"收入": [["户编号", "年度", "工资性收入"], ["H1", 2018, "-300"]]})
    same(from_import, refused(lambda: incomes.record(session, h1, year=2018, amounts={"wage": "-300"}, user=U)))
    assert from_import[0].code == "bad_number"

    long_name = "张" * 101
    from_import = imported(session, tmp_path, {"家庭成员": [MEMBER_SHEET, ["H1", long_name, f.new_id(), "之子"]]})
    same(from_import, refused(lambda: add_member(session, h1, name=long_name)))

    stranger = f.new_id(dt.date(1975, 5, 5))
    from_import = imported(session, tmp_path,
                           {"结对关系": [["户编号", "帮扶干部身份证号", "开始日期"], ["H1", stranger, "2016-03-01"]]})
    same(from_import, refused(lambda: cadres.find(session, stranger)))
    assert from_import[0].code == "unknown_reference" and idcard.mask(stranger) in from_import[0].message


def test_a_declared_size_that_does_not_fit_warns_alike(session, tmp_path, register):
    h1, _ = register
    from_entry = household_entry.edit(session, h1, "家庭人口", "3人", user=U).warnings
    from_import = imported(session, tmp_path, {"户信息": [["户编号", "乡镇", "行政村", "家庭人口"],
                                                         ["H1", "西营镇", "东营村", 3]]})
    same(from_import, from_entry)
    assert from_import[0].code == "size_mismatch" and "3 人" in from_import[0].message


def test_through_the_commands(cli_db, cli_session, tmp_path):
    """povmon import --json and the data-entry commands: the same code and message for the same facts."""
    runner = CliRunner()

    def cli(*args):
        return runner.invoke(app, [*(str(a) for a in args), "--db", cli_db, "--user", U])

    f.area_tree(cli_session, "西营镇", "东营村")
    cli_session.commit()
    head = f.new_id(dt.date(1950, 3, 1))
    assert cli("household", "add", "H1", "--village", "东营村", "--head", "张三", "--head-id", head).exit_code == 0
    number = f.new_id(dt.date(1990, 1, 1))
    path = wb.write(tmp_path / "in.xlsx", {
        "家庭成员": [MEMBER_SHEET, ["H1", "李四", number, "邻居"]],
        "花名册": [ROSTER, ["H9", "西营镇", "新村", "赵六", f.new_id(), "户主"]],
    })
    result = cli("import", path, "--as-of", "2019-01-31", "--json")
    assert result.exit_code == 1, result.output  # nothing could be imported; the JSON still says why
    errors = {(e["sheet"], e["row"]): e for e in json.loads(result.stdout)["errors"]}
    relation, unknown = errors[("家庭成员", 2)], errors[("花名册", 2)]
    assert (relation["code"], unknown["code"]) == ("bad_value", "unknown_area")

    entered = cli("member", "add", "H1", "--name", "李四", "--id-number", number, "--relation", "邻居",
                  "--how", "迁入", "--date", "2019-01-01")
    assert entered.exit_code == 1 and entered.stderr.strip() == f"错误：与户主关系：{relation['message']}。"
    entered = cli("household", "add", "H9", "--village", "西营镇/新村", "--head", "赵六", "--head-id", f.new_id())
    assert entered.exit_code == 1 and entered.stderr.strip() == f"错误：{unknown['message']}。"


# --- every record rule, both ways (issue 10 item 13) -----------------------------------------------------------
#
# Each row of the table is one rule of rules/ (rules.records, rules.checks) that judges a record; each case puts
# the same fact through import_files and through the data-entry service that takes it, and asserts the same
# contract code and the same message. The importer's own words may be longer only by what a channel adds (a
# data-entry hint, an importer's column), never in the message itself.


def _joined_before_birth(session, tmp_path, register):
    h1, _ = register
    child = f.new_id(dt.date(2015, 6, 1), area="141122")
    from_import = imported(session, tmp_path, {"家庭成员": [MEMBER_SHEET, ["H1", "小明", child, "之子", "新增",
                                                                         "2010-01-01"]]})
    from_entry = refused(lambda: add_member(session, h1, name="小明", id_number=child, joined_on="2010-01-01"))
    return from_import, from_entry


def _left_before_birth(session, tmp_path, register):
    h1, _ = register
    head = h1.members[0]  # 张三, born 1950
    from_import = imported(session, tmp_path, {"家庭成员": [MEMBER_SHEET, ["H1", "张三", head.id_number, "户主", "死亡",
                                                                         "1940-01-01"]]})
    from_entry = refused(lambda: members.leave(session, head, reason="死亡", on="1940-01-01", user=U))
    return from_import, from_entry


def _left_before_joining(session, tmp_path, register):
    h1, _ = register
    number = f.new_id(dt.date(1990, 1, 1))
    joined = add_member(session, h1, id_number=number, joined_on="2018-06-01").stored[0]
    from_import = imported(session, tmp_path, {"家庭成员": [MEMBER_SHEET, ["H1", "李四", number, "之子", "迁出",
                                                                         "2018-01-01"]]})
    from_entry = refused(lambda: members.leave(session, joined, reason="迁出", on="2018-01-01", user=U))
    return from_import, from_entry


def _exit_before_identification(session, tmp_path, register):
    h1, _ = register
    sheet = [["户编号", "变动类型", "日期"], ["H1", "脱贫退出", "2018-12-31"]]
    from_import = imported(session, tmp_path, {"识别变动": sheet})
    from_entry = refused(lambda: events.exit_household(session, h1, date="2018-12-31", user=U,
                                                       today=AS_OF))
    return from_import, from_entry


def _monitoring_a_poor_household(session, tmp_path, register):
    h1, _ = register
    events.identify(session, h1, date="2016", standard="国家标准", cause="因病", user=U, today=AS_OF)
    session.flush()
    sheet = [["户编号", "变动类型", "日期", "监测对象类型", "风险类型"],
             ["H1", "纳入监测", "2018-06-01", "突发严重困难户", "因病"]]
    from_import = imported(session, tmp_path, {"识别变动": sheet})
    from_entry = refused(lambda: events.monitor(session, h1, date="2018-06-01", monitoring_type="突发严重困难户",
                                                risks="因病", user=U, today=AS_OF))
    return from_import, from_entry


def _an_area_code_another_area_has(session, tmp_path, register):
    village = register[0].village
    village.code = "141122102001"
    session.flush()
    sheet = [["县", "乡镇", "行政村", "区划代码"], ["交城县", "西营镇", "西营村", "141122102001"]]
    from_import = imported(session, tmp_path, {"行政区划": sheet})
    from_entry = refused(lambda: areas.add(session, name="西营村", level="村", parent="西营镇", code="141122102001",
                                           user=U))
    return from_import, from_entry


def _a_name_with_a_path_separator(session, tmp_path, register):
    number = f.new_id()
    roster = [ROSTER, ["H9", "西营镇", "东营/西营", "赵六", number, "户主"]]
    path = wb.write(tmp_path / "in.xlsx", {"花名册": roster})
    result = import_files(session, [path], ImportOptions(user="t", as_of=AS_OF, create_areas=True))
    from_import = [p for p in result.errors if p.code != "household_rejected"]
    from_entry = refused(lambda: areas.add(session, name="东营/西营", level="村", parent="西营镇", user=U))
    return from_import, from_entry


def _a_second_head(session, tmp_path, register):
    h1, _ = register
    number = f.new_id(dt.date(1980, 1, 1))
    from_import = imported(session, tmp_path, {"家庭成员": [MEMBER_SHEET, ["H1", "李四", number, "户主"]]})
    return from_import, refused(lambda: add_member(session, h1, id_number=number, relation="户主"))


def _one_household_per_person(session, tmp_path, register):
    h1, h2 = register
    number = h1.members[0].id_number
    from_import = imported(session, tmp_path, {"家庭成员": [MEMBER_SHEET, ["H2", "张三", number, "之父"]]})
    return from_import, refused(lambda: add_member(session, h2, name="张三", id_number=number, relation="之父"))


def _an_unknown_cadre(session, tmp_path, register):
    stranger = f.new_id(dt.date(1975, 5, 5))
    from_import = imported(session, tmp_path,
                           {"结对关系": [["户编号", "帮扶干部身份证号", "开始日期"], ["H1", stranger, "2016-03-01"]]})
    return from_import, refused(lambda: cadres.find(session, stranger))


def _an_unknown_household(session, tmp_path, register):
    from_import = imported(session, tmp_path, {"收入": [["户编号", "年度", "工资性收入"], ["H9", 2018, 3000]]})
    with pytest.raises(NotFound) as exc:
        hh.by_code(session, "H9")
    return from_import, exc.value.problems


def _a_benefit_of_someone_else(session, tmp_path, register):
    h1, h2 = register
    other = h2.members[0].id_number
    sheet = [["户编号", "成员身份证号", "政策名称", "政策类别", "日期", "金额"],
             ["H1", other, "雨露计划", "教育", "2018-09-01", 1500]]
    from_import = imported(session, tmp_path, {"享受政策": sheet})
    from_entry = refused(lambda: benefits.add(session, h1, policy="雨露计划", category="教育", date="2018-09-01",
                                              amount="1500", member=other, user=U, today=AS_OF))
    return from_import, from_entry


RECORD_RULES = [
    ("joined before birth", _joined_before_birth, "bad_date"),
    ("left before birth", _left_before_birth, "bad_date"),
    ("left before joining", _left_before_joining, "bad_date"),
    ("event order: exit before identification", _exit_before_identification, "status_transition"),
    ("event order: monitoring a poor household", _monitoring_a_poor_household, "status_transition"),
    ("area code of another area", _an_area_code_another_area_has, "bad_value"),
    ("area name with a path separator", _a_name_with_a_path_separator, "bad_value"),
    ("heads", _a_second_head, "multiple_heads"),
    ("one household per person", _one_household_per_person, "id_in_other_household"),
    ("reference: cadre", _an_unknown_cadre, "unknown_reference"),
    ("reference: household", _an_unknown_household, "unknown_reference"),
    ("reference: a benefit's member", _a_benefit_of_someone_else, "unknown_reference"),
]


@pytest.mark.parametrize(("rule", "case", "code"), RECORD_RULES, ids=[r[0] for r in RECORD_RULES])
def test_every_record_rule_says_the_same_both_ways(session, tmp_path, register, rule, case, code):
    from_import, from_entry = case(session, tmp_path, register)
    assert from_import, f"{rule}: the import took what data entry refuses"
    same(from_import, from_entry)
    assert from_import[0].code == code
