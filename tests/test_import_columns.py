"""The declared columns: the header names the issue and DOMAIN.md use, folding, sheet kinds without ambiguity."""

import pytest

from povmon.ingest import columns as C
from povmon.ingest.columns import header_key


@pytest.mark.parametrize(("header", "level", "key"), [
    ("户编号", "household", "code"), ("户码", "household", "code"), ("户号", "household", "code"),
    ("乡镇", "household", "township"), ("乡（镇）", "household", "township"), ("乡(镇)", "household", "township"),
    ("村", "household", "village"), ("行政村", "household", "village"),
    ("身份证号", "member", "id_number"), ("证件号码", "member", "id_number"), ("身份证号码", "member", "id_number"),
    ("公民身份号码", "member", "id_number"), ("与户主关系", "member", "relation"),
    ("脱贫状态", "household", "status"), ("脱贫属性", "household", "status"), ("脱贫标志", "household", "status"),
    ("户类型", "household", "status"), ("识别年度", "household", "identified_year"),
    ("纳入年度", "household", "identified_year"), ("脱贫年度", "household", "exited_year"),
    ("收入年度", "income", "year"), ("年度", "income", "year"), ("工资性收入", "income", "wage"),
    ("生产经营性收入", "income", "business"), ("生产经营性支出", "income", "business_expense"),
    ("财产性收入", "income", "property"), ("转移性收入", "income", "transfer"),
    ("工资性收入（元）", "income", "wage"), ("耕地面积（亩）", "household", "arable_land"),
    ("耕地面积(亩)", "household", "arable_land"), ("贫困户属性", "household", "attribute"),
    ("*姓名", "member", "name"), ("身份证\n号码", "member", "id_number"), ("家庭人口", "household", "declared_size"),
])
def test_roster_headers(header, level, key):
    found = C.ROSTER_KIND.match(header)
    assert found is not None and found.ref == (level, key)


@pytest.mark.parametrize(("kind", "header", "key"), [
    (C.CADRE_KIND, "帮扶干部姓名", "name"), (C.CADRE_KIND, "帮扶责任人姓名", "name"),
    (C.CADRE_KIND, "帮扶干部身份证号", "id_number"), (C.CADRE_KIND, "帮扶责任人身份证号", "id_number"),
    (C.CADRE_KIND, "工作单位", "unit"), (C.CADRE_KIND, "单位", "unit"), (C.CADRE_KIND, "帮扶单位", "unit"),
    (C.PAIRING_KIND, "开始日期", "start_on"), (C.PAIRING_KIND, "帮扶开始时间", "start_on"),
    (C.PAIRING_KIND, "帮扶责任人身份证号", "cadre_id"), (C.PAIRING_KIND, "帮扶责任人姓名", "cadre_name"),
])
def test_assistance_headers(kind, header, key):
    assert kind.match(header).key == key


def test_template_headers_are_those_of_the_spec():
    spec = {
        "户信息": "户编号 县 乡镇 行政村 村民小组 户主姓名 户主身份证号 联系电话 家庭人口 贫困户属性 脱贫状态 "
               "识别标准 识别年度 脱贫年度 主要致贫原因 其他致贫原因 耕地面积（亩） 林地面积（亩） 住房安全 "
               "饮水安全 通电 通路 两不愁 备注",
        "家庭成员": "户编号 姓名 身份证号 与户主关系 性别 民族 文化程度 在校生状况 健康状况 残疾等级 劳动技能 "
                "务工状况 务工时间（月） 参加城乡居民基本医疗保险 参加养老保险 享受低保 特困供养 联系电话 "
                "成员状态 状态日期 备注",
        "收入": "户编号 年度 月份 工资性收入 生产经营性收入 生产经营性支出 财产性收入 转移性收入 合规自付支出 备注",
        "识别变动": "户编号 变动类型 日期 原因 识别标准 致贫原因 监测对象类型 风险类型 线索来源 消除方式",
        "帮扶干部": "姓名 身份证号 工作单位 职务 联系电话 帮扶角色 驻村乡镇 驻村村",
        "结对关系": "户编号 帮扶干部身份证号 帮扶干部姓名 开始日期 结束日期 结束原因",
        "享受政策": "户编号 成员身份证号 政策名称 政策类别 日期 金额 备注",
        "帮扶措施": "户编号 措施类别 日期 措施内容 金额 帮扶干部身份证号",
        "走访记录": "户编号 帮扶干部身份证号 走访日期 走访内容 发现问题 是否解决",
        "行政区划": "县 乡镇 行政村 区划代码",
    }
    assert [k.name for k in C.TEMPLATE_KINDS] == ["行政区划", *list(spec)[:-1]]
    for kind in C.TEMPLATE_KINDS:
        assert [f.header for f in kind.fields] == spec[kind.name].split(), kind.name
    required = {k.name: [f.header for f in k.fields if f.required] for k in C.TEMPLATE_KINDS}
    assert required["户信息"] == ["户编号", "乡镇", "行政村"]
    assert required["家庭成员"] == ["户编号", "姓名", "身份证号", "与户主关系"]
    assert required["结对关系"] == ["户编号", "帮扶干部身份证号", "开始日期"]


def test_header_key_folds_widths_spaces_and_stars():
    assert header_key("乡（镇）") == header_key(" 乡(镇) ") == header_key("乡 ( 镇 )*")
    assert header_key("＊姓名：") == header_key("姓名")


def test_a_kind_refuses_an_ambiguous_header():
    with pytest.raises(ValueError, match="means two fields"):
        C.SheetKind("x", "x", (C.MEMBER_FIELDS[0], C.CADRE_FIELDS[0]), ())
