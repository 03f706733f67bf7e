"""The fields povmon knows, declared once: header, aliases, level and key, and the parser of each value.

Both ways in use these declarations: the importer finds a sheet's columns by their headers (ingest.columns,
ingest.layout) and cleans every cell with ``make_parser``; data entry finds a field by the names a clerk types
(services.fields) and cleans what was typed with the very same parser, so one value gets one code and one
message whichever way it came (docs/CONTRACTS.md, "error codes"). The template writes these headers and their
help texts, so what povmon writes is what it reads (docs/TEMPLATE.md). Nothing here reads a spreadsheet or a
database.

Header folding: full-width forms and spaces fold away (（）≡ ()), a leading/trailing ``*`` or colon is ignored
(``header_key``) and, when a header does not match as written, a trailing unit in brackets is dropped
(工资性收入（元） ≡ 工资性收入; ``strip_unit``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial

from povmon.rules import idcard, parse
from povmon.rules import vocab as V
from povmon.rules.text import fold
from povmon.rules.vocab import Vocabulary

# Parser kinds (make_parser): text, name, code, id, phone, area, vocab, vocabs, bool, int, amount, decimal, year,
# date, date_or_year.


@dataclass(frozen=True)
class Field:
    """One column: where its value goes (level, key), how it is written and read, and its help text."""

    level: str  # household, member, income, event, cadre, pairing, benefit, measure, visit, area
    key: str
    header: str  # canonical header, as the template writes it
    aliases: tuple[str, ...] = ()
    parser: str = "text"
    vocab: Vocabulary | None = None
    required: bool = False
    limit: int | None = None  # most codes in a multi-valued cell (风险类型 ≤ 5)
    help: str = ""
    example: str = ""

    @property
    def ref(self) -> tuple[str, str]:
        return (self.level, self.key)

    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


def _f(level: str, key: str, header: str, aliases: Iterable[str] = (), parser: str = "text", **kw) -> Field:
    return Field(level, key, header, tuple(aliases), parser, **kw)


# --- fields ----------------------------------------------------------------------------------------------------

CODE = _f("household", "code", "户编号", ["户码", "户号", "户编码", "家庭编号", "户主编号", "户编号（户码）"], "code",
          required=True, help="每户唯一的编号（常见为16位：县6位+乡镇3位+村3位+户4位）；请设为文本格式。",
          example="1411221040010001")

AREA_FIELDS = (
    _f("area", "county", "县", ["县（区）", "县区", "县（市、区）", "区县", "所属县", "县名称"], "area", required=True,
       help="县（区）名称。", example="交城县"),
    _f("area", "township", "乡镇", ["乡（镇）", "乡", "镇", "乡镇（街道）", "所属乡镇", "乡镇名称"], "area",
       required=True, help="乡（镇）名称；行政村为空的行只建立乡镇。", example="会立乡"),
    _f("area", "village", "行政村", ["村", "行政村（社区）", "村（社区）", "所属村", "村名称"], "area",
       help="行政村名称。", example="岔口村"),
    _f("area", "code", "区划代码", ["统计用区划代码", "行政区划代码", "代码", "区划编码"], "code",
       help="统计用区划代码：县6位、乡镇9位、村12位（可空）。", example="141122104001"),
)

HOUSEHOLD_FIELDS = (
    CODE,
    _f("household", "county", "县", AREA_FIELDS[0].aliases, "area",
       help="县（区）名称；空着时按数据库里唯一的县或户编号推断。", example="交城县"),
    _f("household", "township", "乡镇", AREA_FIELDS[1].aliases, "area", required=True, help="乡（镇）名称。",
       example="会立乡"),
    _f("household", "village", "行政村", AREA_FIELDS[2].aliases, "area", required=True, help="行政村名称。",
       example="岔口村"),
    _f("household", "group_name", "村民小组", ["组", "小组", "村民组", "自然村", "村组"],
       help="村民小组或自然村（可空）。",
       example="一组"),
    _f("household", "head_name", "户主姓名", ["户主"], "name", help="户主姓名（与家庭成员表一致）。", example="丁红梅"),
    _f("household", "head_id", "户主身份证号", ["户主证件号码", "户主身份证号码", "户主公民身份号码", "户主身份证"],
       "id",
       help="户主的18位身份证号；请设为文本格式。", example="142323198604252955"),
    _f("household", "phone", "联系电话", ["电话", "手机号", "手机号码", "联系方式", "户主联系电话", "家庭联系电话"],
       "phone",
       help="户的联系电话。"),
    _f("household", "declared_size", "家庭人口", ["家庭人口数", "家庭人数", "人口数", "户人口", "人口", "户籍人口",
                                               "家庭人口（人）"], "int",
       help="家庭人口数（与成员行数不符时给出提示，不拒绝）。", example="4"),
    _f("household", "attribute", "贫困户属性", ["贫困属性", "户属性", "贫困户类型"], "vocab", vocab=V.ATTRIBUTE,
       help="一般贫困户、低保贫困户、特困供养贫困户；非贫困户填一般农户。", example="一般贫困户"),
    _f("household", "status", "脱贫状态", ["脱贫属性", "脱贫标志", "户类型", "贫困状态", "脱贫情况"], "vocab",
       vocab=V.STATUS, help="未脱贫、已脱贫、返贫、一般农户；空着表示一般农户（不生成识别变动）。", example="未脱贫"),
    _f("household", "standard", "识别标准", ["识别标准（国家/省定）"], "vocab", vocab=V.STANDARD,
       help="国家标准或省定标准。", example="国家标准"),
    _f("household", "identified_year", "识别年度", ["纳入年度", "识别年份", "纳入年份", "识别时间", "纳入时间",
                                                 "建档立卡年度", "识别日期"], "date_or_year",
       help="识别纳入的年度（如 2016）或日期；只填年度时按当年12月31日。", example="2016"),
    _f("household", "exited_year", "脱贫年度", ["脱贫年份", "脱贫时间", "脱贫日期", "退出年度"], "date_or_year",
       help="脱贫退出的年度或日期；只填年度时按当年12月31日。", example="2018"),
    _f("household", "main_cause", "主要致贫原因", ["致贫原因", "主要致贫原因（单选）"], "vocab", vocab=V.CAUSE,
       help="因病、因残、因学、因灾、缺土地、缺水、缺技术、缺劳力、缺资金、交通条件落后、自身发展动力不足。",
       example="因病"),
    _f("household", "other_causes", "其他致贫原因", ["次要致贫原因", "其它致贫原因"], "vocabs", vocab=V.CAUSE,
       help="可填多项，用顿号（、）分隔。", example="缺技术、缺资金"),
    _f("household", "arable_land", "耕地面积（亩）", ["耕地面积", "耕地", "耕地（亩）"], "decimal",
       help="耕地面积，单位亩。", example="5.5"),
    _f("household", "forest_land", "林地面积（亩）", ["林地面积", "林地", "林地（亩）"], "decimal",
       help="林地面积，单位亩。", example="2"),
    _f("household", "housing_safety", "住房安全", ["住房安全等级", "房屋安全等级", "住房鉴定等级", "危房等级",
                                               "住房安全鉴定"], "vocab", vocab=V.HOUSING,
       help="住房安全鉴定：A级、B级（安全），C级、D级（危房）。", example="B级"),
    _f("household", "safe_water", "饮水安全", ["是否饮水安全", "饮水是否安全"], "bool",
       help="是 或 否。", example="是"),
    _f("household", "electricity", "通电", ["是否通电", "是否通生活用电", "通生活用电"], "bool", help="是 或 否。",
       example="是"),
    _f("household", "road", "通路", ["是否通路", "通硬化路", "是否通硬化路"], "bool", help="是 或 否。", example="是"),
    _f("household", "food_clothing_secure", "两不愁", ["是否两不愁", "两不愁是否解决", "是否解决两不愁"], "bool",
       help="不愁吃、不愁穿：是 或 否。", example="是"),
    _f("household", "note", "备注", ["说明"], help="备注。"),
)

MEMBER_FIELDS = (
    _f("member", "name", "姓名", ["成员姓名", "家庭成员姓名", "人员姓名"], "name", required=True, help="成员姓名。",
       example="丁红梅"),
    _f("member", "id_number", "身份证号", ["证件号码", "身份证号码", "公民身份号码", "身份证", "成员身份证号",
                                         "身份证件号码", "证件号", "公民身份证号码"], "id", required=True,
       help="18位身份证号；该列请设为文本格式，否则 Excel 会丢掉后几位。", example="142323198604252955"),
    _f("member", "relation", "与户主关系", ["与户主的关系", "家庭关系", "关系"], "vocab", vocab=V.RELATION,
       required=True, help="户主、配偶、之子、之女……（也可写 儿子、妻子 等）；每户必须有且只有一位户主。",
       example="户主"),
    _f("member", "sex", "性别", [], "vocab", vocab=V.SEX,
       help="男 或 女（以身份证号为准，不一致时提示）。", example="男"),
    _f("member", "ethnicity", "民族", [], "vocab", vocab=V.ETHNICITY, help="如 汉族。", example="汉族"),
    _f("member", "education", "文化程度", ["学历", "文化"], "vocab", vocab=V.EDUCATION,
       help="文盲或半文盲、小学、初中、高中、大专及以上、学龄前儿童。", example="初中"),
    _f("member", "school_status", "在校生状况", ["在校生情况", "在校情况", "在校状况", "是否在校生"], "vocab",
       vocab=V.SCHOOL_STATUS,
       help="非在校生、学前教育、小学、七至九年级、高中、中职、高职、大专及以上（可写 小学三年级）。",
       example="非在校生"),
    _f("member", "health", "健康状况", ["健康情况", "身体状况"], "vocab", vocab=V.HEALTH,
       help="健康、长期慢性病、患有大病、残疾。", example="健康"),
    _f("member", "disability_grade", "残疾等级", ["残疾级别"], "vocab", vocab=V.DISABILITY_GRADE,
       help="一级至四级（无残疾留空）。"),
    _f("member", "labour", "劳动技能", ["劳动能力", "劳动力状况"], "vocab", vocab=V.LABOUR,
       help="普通劳动力、技能劳动力、弱劳动力或半劳动力、丧失劳动力、无劳动力。", example="普通劳动力"),
    _f("member", "work_status", "务工状况", ["务工情况", "务工地点", "就业状况", "务工地域"], "vocab", vocab=V.WORK,
       help="乡（镇）内务工、乡（镇）外县内务工、县外省内务工、省外务工、其他/未务工。", example="省外务工"),
    _f("member", "work_months", "务工时间（月）", ["务工时间", "务工月数", "务工时长（月）"], "int",
       help="一年中务工的月数（0–12）。", example="10"),
    _f("member", "medical_insurance", "参加城乡居民基本医疗保险",
       ["是否参加城乡居民基本医疗保险", "参加医保", "医疗保险", "是否参加医疗保险", "参加新农合", "新农合",
        "基本医疗保险",
        "是否参加基本医疗保险"], "bool", help="是 或 否。", example="是"),
    _f("member", "pension_insurance", "参加养老保险",
       ["是否参加城乡居民基本养老保险", "参加城乡居民基本养老保险", "养老保险", "是否参加养老保险"], "bool",
       help="是 或 否。", example="是"),
    _f("member", "subsistence_allowance", "享受低保", ["是否享受低保", "低保", "是否低保"], "bool", help="是 或 否。",
       example="否"),
    _f("member", "extreme_poverty_support", "特困供养", ["是否特困供养", "是否享受特困供养", "享受特困供养"], "bool",
       help="是 或 否。", example="否"),
    _f("member", "phone", "联系电话", ["电话", "手机号", "手机号码", "联系方式"], "phone", help="成员的联系电话。"),
    _f("member", "state", "成员状态", ["人员状态", "状态", "变动情况", "成员变动"], "vocab", vocab=V.MEMBER_STATE,
       help="在册、新增、死亡、迁出；空着表示在册。", example="在册"),
    _f("member", "state_date", "状态日期", ["变动日期", "变动时间", "状态变动日期"], "date",
       help="新增时为加入日期；死亡、迁出时为离开日期（空着按 --as-of 日期）。"),
    _f("member", "note", "备注", ["说明"], help="备注。"),
)

INCOME_FIELDS = (
    _f("income", "year", "年度", ["收入年度", "年份", "收入年份"], "year", required=True,
       help="收入所属年度，如 2018。",
       example="2018"),
    _f("income", "month", "月份", ["月", "收入月份"], "int", help="1–12；空着表示全年。"),
    _f("income", "wage", "工资性收入", ["工资收入", "务工收入", "工资性收入（元）"], "amount", help="元；空着为0。",
       example="12000"),
    _f("income", "business", "生产经营性收入", ["经营性收入", "生产经营收入", "家庭经营性收入"], "amount", help="元。",
       example="3000"),
    _f("income", "business_expense", "生产经营性支出", ["经营性支出", "生产经营支出", "家庭经营性支出"], "amount",
       help="元。", example="800"),
    _f("income", "property", "财产性收入", ["财产收入"], "amount",
       help="元（如小额信贷分红、资产收益）。", example="3000"),
    _f("income", "transfer", "转移性收入", ["转移收入"], "amount",
       help="元（低保金、养老金、各类补贴）。", example="1500"),
    _f("income", "compliant_spending", "合规自付支出", ["合规自付医疗支出", "刚性支出"], "amount",
       help="元：医疗、教育等合规自付支出。"),
    _f("income", "note", "备注", ["说明"], help="备注。"),
)

# a sheet records what happened; voiding an earlier event (更正作废) names that event and is not typed in a sheet
EVENT_KINDS_IMPORTED = Vocabulary(
    "event_kind", "变动类型", tuple(t for t in V.EVENT_KIND.terms if t.code != "cancelled"))

EVENT_FIELDS = (
    _f("event", "kind", "变动类型", ["事件", "事件类型", "变动事项", "类型"], "vocab", vocab=EVENT_KINDS_IMPORTED,
       required=True,
       help="识别纳入、脱贫退出、返贫、纳入监测、风险消除、撤销风险消除。", example="识别纳入"),
    _f("event", "event_date", "日期", ["变动日期", "时间", "变动时间"], "date_or_year", required=True,
       help="变动日期；只填年度时按当年12月31日。", example="2016-12-31"),
    _f("event", "reason", "原因", ["变动原因", "说明"], help="变动原因。"),
    _f("event", "standard", "识别标准", [], "vocab", vocab=V.STANDARD, help="识别纳入时：国家标准或省定标准。"),
    _f("event", "cause", "致贫原因", ["主要致贫原因"], "vocab", vocab=V.CAUSE, help="识别纳入时的主要致贫原因。"),
    _f("event", "monitoring_type", "监测对象类型", ["监测类型", "监测对象类别"], "vocab", vocab=V.MONITORING_TYPE,
       help="纳入监测时：脱贫不稳定户、边缘易致贫户、突发严重困难户。"),
    _f("event", "risks", "风险类型", ["致贫风险", "返贫致贫风险", "风险"], "vocabs", vocab=V.RISK, limit=5,
       help="纳入监测时的风险，最多5项，用顿号分隔。"),
    _f("event", "lead_source", "线索来源", ["信息来源"], "vocab", vocab=V.LEAD_SOURCE,
       help="农户自主申报、基层干部排查、部门筛查预警。"),
    _f("event", "elimination", "消除方式", ["风险消除方式"], "vocab", vocab=V.ELIMINATION,
       help="帮扶消除 或 自然消除。"),
)

CADRE_FIELDS = (
    _f("cadre", "name", "姓名", ["帮扶干部姓名", "帮扶责任人姓名", "干部姓名", "帮扶人姓名"], "name", required=True,
       help="干部姓名。", example="李四"),
    _f("cadre", "id_number", "身份证号", ["帮扶干部身份证号", "帮扶责任人身份证号", "证件号码", "身份证号码",
                                        "公民身份号码", "干部身份证号"], "id", required=True,
       help="干部的18位身份证号（文本格式）。"),
    _f("cadre", "unit", "工作单位", ["单位", "帮扶单位", "派出单位", "所在单位"], help="工作单位（帮扶单位）。",
       example="交城县国土资源局"),
    _f("cadre", "post", "职务", ["职务职级"], help="职务。"),
    _f("cadre", "phone", "联系电话", ["电话", "手机号", "手机号码", "联系方式"], "phone", help="联系电话。"),
    _f("cadre", "role", "帮扶角色", ["角色", "身份", "帮扶身份"], "vocab", vocab=V.CADRE_ROLE,
       help="帮扶责任人、第一书记、工作队长、工作队员（空着为帮扶责任人）。", example="帮扶责任人"),
    _f("cadre", "township", "驻村乡镇", ["驻村所在乡镇"], "area", help="驻村干部所驻乡镇。"),
    _f("cadre", "village", "驻村村", ["驻村村名", "所驻村", "驻村行政村"], "area", help="驻村干部所驻行政村。"),
)

CADRE_ID = _f("pairing", "cadre_id", "帮扶干部身份证号", ["帮扶责任人身份证号", "干部身份证号", "帮扶人身份证号"], "id",
              required=True, help="帮扶干部的身份证号（须已在帮扶干部表或数据库中）。")

PAIRING_FIELDS = (
    CADRE_ID,
    _f("pairing", "cadre_name", "帮扶干部姓名", ["帮扶责任人姓名", "帮扶责任人", "帮扶人", "帮扶干部", "帮扶人姓名"],
       "name",
       help="帮扶干部姓名（仅供核对）。"),
    _f("pairing", "start_on", "开始日期", ["帮扶开始时间", "结对日期", "开始时间", "结对时间", "帮扶开始日期"], "date",
       required=True, help="结对开始日期。", example="2016-03-01"),
    _f("pairing", "end_on", "结束日期", ["帮扶结束时间", "结束时间", "帮扶结束日期"], "date",
       help="结对结束日期（仍在帮扶留空）。"),
    _f("pairing", "end_reason", "结束原因", ["调整原因", "变更原因"], help="结束原因（如 工作调动）。"),
)

BENEFIT_FIELDS = (
    _f("benefit", "member_id", "成员身份证号", ["享受人身份证号", "受益人身份证号"], "id",
       help="享受政策的成员（按户享受留空）。"),
    _f("benefit", "policy", "政策名称", ["政策", "政策项目", "享受政策", "政策名"], "name", required=True,
       help="政策名称（新名称会加入政策目录）。", example="雨露计划"),
    _f("benefit", "category", "政策类别", ["类别", "政策类型"], "vocab", vocab=V.POLICY_CATEGORY,
       help="教育、健康、住房、社会保障、金融、产业、就业、生态、资产收益、其他。", example="教育"),
    _f("benefit", "benefit_date", "日期", ["享受日期", "发放日期", "享受时间", "发放时间"], "date", required=True,
       help="享受或发放日期。", example="2018-09-01"),
    _f("benefit", "amount", "金额", ["金额（元）", "补助金额", "发放金额"], "amount",
       help="元；空着为0。", example="1500"),
    _f("benefit", "note", "备注", ["说明"], help="备注。"),
)

MEASURE_FIELDS = (
    _f("measure", "kind", "措施类别", ["措施类型", "帮扶措施", "帮扶类别", "措施"], "vocab", vocab=V.MEASURE_KIND,
       required=True, help="产业、就业、培训、金融、教育、健康、住房、兜底、其他。", example="产业"),
    _f("measure", "measure_date", "日期", ["措施日期", "实施日期", "帮扶日期", "时间"], "date", required=True,
       help="实施日期。", example="2018-04-10"),
    _f("measure", "description", "措施内容", ["内容", "帮扶内容", "具体措施"], help="做了什么。"),
    _f("measure", "amount", "金额", ["金额（元）", "投入金额"], "amount", help="元（可空）。"),
    _f("measure", "cadre_id", "帮扶干部身份证号", CADRE_ID.aliases, "id", help="负责的帮扶干部（可空）。"),
)

VISIT_FIELDS = (
    _f("visit", "cadre_id", "帮扶干部身份证号", CADRE_ID.aliases, "id", required=True, help="走访的帮扶干部。"),
    _f("visit", "visit_date", "走访日期", ["走访时间", "入户日期", "入户时间"], "date", required=True,
       help="走访日期。",
       example="2018-05-20"),
    _f("visit", "done", "走访内容", ["帮扶内容", "工作内容", "走访情况"], help="走访做了什么。"),
    _f("visit", "problems", "发现问题", ["存在问题", "存在的问题", "发现的问题"], help="发现的问题。"),
    _f("visit", "resolved", "是否解决", ["解决情况", "问题是否解决"], "bool", help="是 或 否。"),
)



_UNIT = re.compile(r"\([^()]*\)$")
_STARS = re.compile(r"^[*※★]+|[*※★:：]+$")


def header_key(text: object) -> str:
    """The comparison key of a header: folded (full-width ≡ half-width, no spaces, lower case), no * or colon."""
    if text is None:
        return ""
    return _STARS.sub("", fold(str(text)))



def strip_unit(key: str) -> str:
    """A header key without a trailing unit in brackets (工资性收入(元) → 工资性收入)."""
    return _UNIT.sub("", key)


# --- value parsers ---------------------------------------------------------------------------------------------

# Most characters a text column takes: what the register's columns hold (String(n)) or, for free text, what a
# clerk could mean (a note is not an essay). By parser kind, and by field key where a column differs.
TEXT_LIMITS = {"code": 32, "name": 100, "phone": 30, "text": 500}
KEY_LIMITS = {"group_name": 50, "county": 100, "township": 100, "village": 100, "unit": 100, "post": 100,
              "description": 2000, "done": 2000, "problems": 2000}
# (lowest, highest, unit a clerk may type after the number) of the whole-number columns
INT_RANGES = {"work_months": (0, 12, "个月"), "month": (0, 12, "月"), "declared_size": (0, 99, "人")}


# pairings may be planned ahead; everything else a file states happened by the day it describes (--as-of)
FUTURE_ALLOWED = frozenset({"start_on", "end_on"})


def _after(value: object, as_of: dt.date) -> str:
    return (f"“{value}”晚于文件所描述的日期 {as_of.isoformat()}（--as-of，默认今天）；"
            "请核对年份或日期，或用 --as-of 指明文件描述的是哪一天")


Parser = Callable[[object], object]


def _text_parser(f: Field, as_of: dt.date | None, overrides: Mapping[str, str]) -> Parser:
    limit = KEY_LIMITS.get(f.key, TEXT_LIMITS[f.parser])
    return partial({"text": parse.text, "name": parse.name, "code": parse.code, "phone": parse.phone}[f.parser],
                   limit=limit)


def _vocab_parser(f: Field, as_of: dt.date | None, overrides: Mapping[str, str]) -> Parser:
    def term(raw, vocab=f.vocab):
        if overrides and not parse.is_blank(raw):
            raw = overrides.get(fold(str(raw)), raw)
        return parse.term(vocab, raw)
    return term


def _vocabs_parser(f: Field, as_of: dt.date | None, overrides: Mapping[str, str]) -> Parser:
    def terms(raw, vocab=f.vocab, limit=f.limit):
        codes = parse.terms(vocab, raw, limit=limit)
        return ",".join(codes) if codes else None
    return terms


def _bool_parser(f: Field, as_of: dt.date | None, overrides: Mapping[str, str]) -> Parser:
    def boolean(raw, title=f.header):
        return parse.boolean(raw, title)
    return boolean


def _int_parser(f: Field, as_of: dt.date | None, overrides: Mapping[str, str]) -> Parser:
    low, high, unit = INT_RANGES.get(f.key, (None, None, ""))

    def integer(raw, low=low, high=high, unit=unit):
        return parse.integer(raw, low=low, high=high, unit=unit)
    return integer


def _ahead(f: Field, as_of: dt.date | None) -> bool:
    """Whether a date of this field may lie after the day the values describe."""
    return f.key in FUTURE_ALLOWED or as_of is None


def _year_parser(f: Field, as_of: dt.date | None, overrides: Mapping[str, str]) -> Parser:
    if _ahead(f, as_of):
        return parse.year

    def year_upto(raw, as_of=as_of):
        value = parse.year(raw)
        if value is not None and value > as_of.year:
            raise parse.ValueProblem("bad_date", _after(value, as_of))
        return value
    return year_upto


def _date_parser(f: Field, as_of: dt.date | None, overrides: Mapping[str, str]) -> Parser:
    if _ahead(f, as_of):
        return parse.date

    def date_upto(raw, as_of=as_of):
        value = parse.date(raw)
        if value is not None and value > as_of:
            raise parse.ValueProblem("bad_date", _after(value, as_of))
        return value
    return date_upto


def _date_or_year_parser(f: Field, as_of: dt.date | None, overrides: Mapping[str, str]) -> Parser:
    def date_or_year_upto(raw, as_of=as_of, ahead=_ahead(f, as_of)):
        day, year_only = parse.date_or_year(raw)
        if day is None or ahead or day <= as_of:
            return day, year_only
        if year_only and day.year == as_of.year:
            return as_of, True  # "identified in 2019" on a roster of 2019-06-30: true by that day
        raise parse.ValueProblem("bad_date", _after(day.year if year_only else day, as_of))
    return date_or_year_upto


def _id_parser(f: Field, as_of: dt.date | None, overrides: Mapping[str, str]) -> Parser:
    def check(raw):
        return idcard.check(raw, as_of)
    return check


def _plain(parser: Parser) -> Callable[[Field, dt.date | None, Mapping[str, str]], Parser]:
    return lambda f, as_of, overrides: parser


_PARSER_KINDS: dict[str, Callable[[Field, dt.date | None, Mapping[str, str]], Parser]] = {
    "area": _plain(parse.area_name), "text": _text_parser, "name": _text_parser, "code": _text_parser,
    "phone": _text_parser, "vocab": _vocab_parser, "vocabs": _vocabs_parser, "bool": _bool_parser,
    "int": _int_parser, "amount": _plain(parse.amount), "decimal": _plain(parse.decimal2), "year": _year_parser,
    "date": _date_parser, "date_or_year": _date_or_year_parser, "id": _id_parser,
}


def make_parser(f: Field, as_of: dt.date | None = None, overrides: Mapping[str, str] | None = None) -> Parser:
    """The parser of one field: raw value → clean value, or raises ValueProblem (IDs: an IdCheck).

    ``as_of`` is the day the values describe (an import's --as-of): dates after it are refused, except a
    pairing's, which may be planned ahead; without it any date is taken (data entry checks "not after today"
    itself). ``overrides`` maps a folded value to the term it stands for (a clerk's ``--mapping``) for a
    vocabulary field. Data entry parses what a clerk types with these same parsers (services.fields), so one
    value is judged the same way in a spreadsheet and on the command line.
    """
    build = _PARSER_KINDS.get(f.parser)
    if build is None:  # pragma: no cover - a declaration mistake
        raise ValueError(f"unknown parser {f.parser}")
    return build(f, as_of, overrides or {})


ALL_FIELDS: tuple[Field, ...] = (
    *AREA_FIELDS, *HOUSEHOLD_FIELDS, *MEMBER_FIELDS, *INCOME_FIELDS, *EVENT_FIELDS, *CADRE_FIELDS, *PAIRING_FIELDS,
    *BENEFIT_FIELDS, *MEASURE_FIELDS, *VISIT_FIELDS,
)
