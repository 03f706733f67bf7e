"""Every controlled vocabulary of the domain: code ↔ Chinese label ↔ the aliases clerks type.

Codes are what the database stores and JSON shows for statuses; labels are what printed pages show.
Matching folds full-width/half-width forms, spaces and case (see rules.text.fold), so 乡（镇）内务工
and 乡(镇)内务工 are the same. A few vocabularies also accept patterns (小学三年级 → 小学).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from povmon.rules.text import fold


@dataclass(frozen=True)
class Term:
    code: str
    label: str
    aliases: tuple[str, ...] = ()


@dataclass
class Vocabulary:
    """A controlled list: look values up by code, label or alias; render codes as labels."""

    name: str
    title: str  # Chinese name of the field, for messages
    terms: tuple[Term, ...]
    patterns: tuple[tuple[str, str], ...] = ()  # (regex on the folded value, code)
    _index: dict[str, str] = field(init=False, repr=False)
    _labels: dict[str, str] = field(init=False, repr=False)
    _compiled: tuple[tuple[re.Pattern[str], str], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = {}
        self._labels = {}
        for term in self.terms:
            self._labels[term.code] = term.label
            for key in (term.code, term.label, *term.aliases):
                folded = fold(key)
                existing = self._index.get(folded)
                if existing is not None and existing != term.code:
                    raise ValueError(f"vocabulary {self.name}: {key!r} means both {existing} and {term.code}")
                self._index[folded] = term.code
        self._compiled = tuple((re.compile(rx), code) for rx, code in self.patterns)

    def lookup(self, value: object) -> str | None:
        """The code for a value typed in any accepted form, or None when it is not in the vocabulary."""
        if value is None:
            return None
        key = fold(str(value))
        if not key:
            return None
        code = self._index.get(key)
        if code is not None:
            return code
        for rx, pattern_code in self._compiled:
            if rx.fullmatch(key):
                return pattern_code
        return None

    def label(self, code: str | None) -> str | None:
        """The Chinese label of a code (None stays None)."""
        if code is None:
            return None
        return self._labels.get(code, code)

    def labels(self) -> list[str]:
        """The labels in their canonical order (what a dropdown list offers)."""
        return [t.label for t in self.terms]

    def codes(self) -> list[str]:
        return [t.code for t in self.terms]

    def accepted(self) -> str:
        """The accepted labels as one line for a message."""
        return "、".join(self.labels())

    def __contains__(self, code: object) -> bool:
        return code in self._labels


def _v(name: str, title: str, terms: Iterable[tuple], patterns: Iterable[tuple[str, str]] = ()) -> Vocabulary:
    built = tuple(Term(code, label, tuple(rest[0]) if rest else ()) for code, label, *rest in terms)
    return Vocabulary(name, title, built, tuple(patterns))


# --- household -------------------------------------------------------------------------------------------

ATTRIBUTE = _v("attribute", "贫困户属性", [
    ("general_poor", "一般贫困户", ["一般贫困", "一般扶贫户"]),
    ("dibao_poor", "低保贫困户", ["低保贫困", "低保户", "扶贫低保户"]),
    ("tekun_poor", "特困供养贫困户",
     ["特困供养贫困", "特困户", "特困供养户", "五保贫困户", "五保户", "分散供养特困人员"]),
    ("ordinary", "一般农户", ["非贫困户", "一般户", "非建档立卡户"]),
])

STANDARD = _v("standard", "识别标准", [
    ("national", "国家标准", ["国标", "国家"]),
    ("provincial", "省定标准", ["省标", "省定", "省级标准"]),
])

CAUSE = _v("cause", "致贫原因", [
    ("illness", "因病", ["疾病", "因病致贫"]),
    ("disability", "因残", ["残疾", "因残致贫"]),
    ("schooling", "因学", ["上学", "因学致贫"]),
    ("disaster", "因灾", ["受灾", "因灾致贫"]),
    ("no_land", "缺土地", ["缺地"]),
    ("no_water", "缺水", []),
    ("no_skills", "缺技术", []),
    ("no_labour", "缺劳力", ["缺劳动力"]),
    ("no_funds", "缺资金", []),
    ("transport", "交通条件落后", ["交通落后", "交通条件差"]),
    ("motivation", "自身发展动力不足", ["自我发展动力不足", "发展动力不足", "动力不足"]),
])

HOUSING = _v("housing", "住房安全", [
    ("A", "A级", ["A级安全", "一级"]),
    ("B", "B级", ["B级安全", "二级"]),
    ("C", "C级", ["C级危房", "三级"]),
    ("D", "D级", ["D级危房", "四级"]),
])

YES_NO = _v("yes_no", "是否", [
    ("true", "是", ["√", "✓", "✔", "y", "yes", "true", "有", "已参加", "参加", "已参保", "参保", "1", "安全", "已通"]),
    ("false", "否", ["×", "✗", "✘", "n", "no", "false", "无", "未参加", "没有", "未参保", "0", "不安全", "未通"]),
])

# --- members ---------------------------------------------------------------------------------------------

SEX = _v("sex", "性别", [("M", "男", ["男性"]), ("F", "女", ["女性"])])

RELATION = _v("relation", "与户主关系", [
    ("head", "户主", ["本人", "户主本人"]),
    ("spouse", "配偶", ["妻子", "丈夫", "妻", "夫", "爱人", "老伴", "之妻", "之夫"]),
    ("son", "之子", ["子", "儿子", "长子", "次子", "三子", "养子", "继子"]),
    ("daughter", "之女", ["女", "女儿", "长女", "次女", "三女", "养女", "继女"]),
    ("daughter_in_law", "之儿媳", ["儿媳", "儿媳妇", "媳妇"]),
    ("son_in_law", "之女婿", ["女婿"]),
    ("grandson", "之孙子", ["孙子"]),
    ("granddaughter", "之孙女", ["孙女"]),
    ("daughters_son", "之外孙子", ["外孙子", "外孙"]),
    ("daughters_daughter", "之外孙女", ["外孙女"]),
    ("father", "之父", ["父", "父亲"]),
    ("mother", "之母", ["母", "母亲"]),
    ("wifes_father", "之岳父", ["岳父"]),
    ("wifes_mother", "之岳母", ["岳母"]),
    ("husbands_father", "之公公", ["公公"]),
    ("husbands_mother", "之婆婆", ["婆婆"]),
    ("grandfather", "之祖父", ["祖父", "爷爷"]),
    ("grandmother", "之祖母", ["祖母", "奶奶"]),
    ("other", "其他", ["其它"]),
])

_ETHNIC_GROUPS = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 "
    "黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 "
    "撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 "
    "京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()

ETHNICITY = _v(
    "ethnicity", "民族", [(g, g, [g[:-1]]) for g in _ETHNIC_GROUPS] + [("其他", "其他", ["其它"])]
)

EDUCATION = _v("education", "文化程度", [
    ("illiterate", "文盲或半文盲", ["文盲", "半文盲", "文盲半文盲"]),
    ("primary", "小学", ["小学文化"]),
    ("junior", "初中", ["初中文化"]),
    ("senior", "高中", ["高中文化", "中专", "高中/中专", "高中或中专", "中专/高中"]),
    ("college", "大专及以上", ["大专", "本科", "大学", "本科及以上", "研究生", "大专以上"]),
    ("preschool", "学龄前儿童", ["学龄前"]),
])

SCHOOL_STATUS = _v("school_status", "在校生状况", [
    ("not_student", "非在校生", ["非在校", "不在校", "否"]),
    ("preschool", "学前教育", ["幼儿园", "学前", "学前班"]),
    ("primary", "小学", []),
    ("junior", "七至九年级", ["初中", "七年级", "八年级", "九年级", "初一", "初二", "初三"]),
    ("senior", "高中", ["普通高中", "高一", "高二", "高三"]),
    ("secondary_vocational", "中职", ["中专", "职高", "技校", "中等职业教育"]),
    ("higher_vocational", "高职", ["高等职业教育"]),
    ("college", "大专及以上", ["大专", "本科", "大学", "研究生", "大学本科"]),
], patterns=[
    (r"小学[一二三四五六1-6]年级", "primary"),
    (r"初中[一二三1-3]年级|[七八九789]年级", "junior"),
    (r"高中[一二三1-3]年级", "senior"),
    (r"中职[一二三1-3]年级", "secondary_vocational"),
    (r"高职[一二三1-3]年级", "higher_vocational"),
    (r"(大专|本科|大学)[一二三四五1-5]年级", "college"),
])

HEALTH = _v("health", "健康状况", [
    ("healthy", "健康", ["良好", "正常"]),
    ("chronic", "长期慢性病", ["慢性病", "长期慢性病患者"]),
    ("serious", "患有大病", ["大病", "重病", "重大疾病"]),
    ("disabled", "残疾", ["残疾人"]),
])

DISABILITY_GRADE = _v("disability_grade", "残疾等级", [
    ("1", "一级", ["1级", "一级残疾", "1"]),
    ("2", "二级", ["2级", "二级残疾", "2"]),
    ("3", "三级", ["3级", "三级残疾", "3"]),
    ("4", "四级", ["4级", "四级残疾", "4"]),
])

LABOUR = _v("labour", "劳动技能", [
    ("ordinary", "普通劳动力", ["普通劳力", "劳动力"]),
    ("skilled", "技能劳动力", ["技能劳力"]),
    ("weak", "弱劳动力或半劳动力", ["弱劳动力", "半劳动力", "弱劳力", "半劳力"]),
    ("lost", "丧失劳动力", ["丧失劳力"]),
    ("none", "无劳动力", ["无劳力"]),
])

WORK = _v("work", "务工状况", [
    ("in_township", "乡（镇）内务工", ["乡内务工", "镇内务工", "乡镇内务工"]),
    ("in_county", "乡（镇）外县内务工", ["县内务工", "乡外县内务工", "镇外县内务工", "乡镇外县内务工"]),
    ("in_province", "县外省内务工", ["省内务工", "省内县外务工"]),
    ("out_of_province", "省外务工", ["省外"]),
    ("none", "其他/未务工", ["未务工", "其他", "其它", "无", "在家务农", "务农"]),
])

MEMBER_STATE = _v("member_state", "成员状态", [
    ("present", "在册", ["正常", "在籍"]),
    ("deceased", "死亡", ["去世", "已故", "死亡注销"]),
    ("moved_out", "迁出", ["外迁", "迁出注销", "户口迁出"]),
    ("added", "新增", ["新增人口", "迁入", "出生", "新生"]),
])

# --- status, monitoring and events ------------------------------------------------------------------------

STATUS = _v("status", "脱贫状态", [
    ("poor", "未脱贫", ["贫困", "贫困户", "在贫", "未脱贫户"]),
    ("exited", "已脱贫", ["脱贫", "脱贫户", "已脱贫户", "已脱贫(享受政策)", "已脱贫(不享受政策)",
                          "脱贫(享受政策)", "脱贫(不享受政策)", "稳定脱贫"]),
    ("returned", "返贫", ["返贫户", "已返贫"]),
    ("non_poor", "一般农户", ["非贫困户", "一般户", "非建档立卡户"]),
])

MONITORING_TYPE = _v("monitoring_type", "监测对象类型", [
    ("unstable", "脱贫不稳定户", ["不稳定户", "脱贫不稳定"]),
    ("near_poor", "边缘易致贫户", ["边缘户", "边缘易致贫", "边缘易致贫人口"]),
    ("hardship", "突发严重困难户", ["严重困难户", "突发困难户", "突发严重困难"]),
])

RISK = _v("risk", "风险类型", [
    ("illness", "因病", []),
    ("schooling", "因学", []),
    ("disability", "因残", []),
    ("natural_disaster", "因自然灾害", ["因灾", "自然灾害"]),
    ("accident", "因意外事故", ["意外事故", "因意外"]),
    ("industry_failure", "因产业失败", ["产业失败"]),
    ("unstable_work", "因务工就业不稳", ["务工就业不稳", "就业不稳"]),
    ("no_labour", "缺劳动力", ["缺劳力"]),
    ("housing", "住房安全问题", ["住房安全", "住房问题"]),
    ("water", "饮水安全问题", ["饮水安全", "饮水问题"]),
    ("dropout", "义务教育辍学", ["辍学"]),
    ("uninsured", "未参加基本医疗保险", ["未参保", "未参加医保"]),
    ("other", "其他", ["其它"]),
])

LEAD_SOURCE = _v("lead_source", "线索来源", [
    ("self_report", "农户自主申报", ["自主申报", "农户申报"]),
    ("cadre_check", "基层干部排查", ["干部排查", "排查"]),
    ("department", "部门筛查预警", ["部门筛查", "部门预警"]),
])

ELIMINATION = _v("elimination", "风险消除方式", [
    ("assisted", "帮扶消除", ["帮扶"]),
    ("natural", "自然消除", ["自然"]),
])

EVENT_KIND = _v("event_kind", "事件", [
    ("identified", "识别纳入", ["识别", "纳入", "建档立卡"]),
    ("exited", "脱贫退出", ["脱贫", "退出"]),
    ("returned", "返贫", []),
    ("monitoring_added", "纳入监测", ["监测"]),
    ("risk_eliminated", "风险消除", ["消除风险"]),
    ("elimination_revoked", "撤销风险消除", ["风险消除撤销", "回退"]),
    ("cancelled", "更正作废", ["作废", "更正"]),
])

# --- policies and assistance ------------------------------------------------------------------------------

POLICY_CATEGORY = _v("policy_category", "政策类别", [
    ("education", "教育", ["教育资助", "教育扶贫"]),
    ("health", "健康", ["医疗", "健康扶贫", "医疗保障"]),
    ("housing", "住房", ["危房改造", "易地扶贫搬迁", "住房保障"]),
    ("social", "社会保障", ["兜底", "社会救助", "低保", "特困供养"]),
    ("finance", "金融", ["小额信贷", "金融扶贫"]),
    ("industry", "产业", ["产业扶贫"]),
    ("employment", "就业", ["就业扶贫", "公益岗位", "护林员"]),
    ("ecology", "生态", ["生态补偿", "生态扶贫"]),
    ("asset_income", "资产收益", ["资产收益分红", "光伏"]),
    ("other", "其他", ["其它"]),
])

MEASURE_KIND = _v("measure_kind", "帮扶措施类别", [
    ("industry", "产业", ["产业帮扶"]),
    ("employment", "就业", ["就业帮扶"]),
    ("training", "培训", ["技能培训"]),
    ("finance", "金融", ["金融帮扶"]),
    ("education", "教育", ["教育帮扶"]),
    ("health", "健康", ["健康帮扶", "医疗"]),
    ("housing", "住房", ["住房帮扶"]),
    ("safety_net", "兜底", ["兜底保障", "社会保障"]),
    ("other", "其他", ["其它"]),
])

CADRE_ROLE = _v("cadre_role", "帮扶角色", [
    ("responsible", "帮扶责任人", ["帮扶干部", "结对干部", "责任人"]),
    ("first_secretary", "第一书记", ["驻村第一书记"]),
    ("team_leader", "工作队长", ["驻村工作队长", "队长"]),
    ("team_member", "工作队员", ["驻村工作队员", "队员"]),
])

AREA_LEVEL = _v("area_level", "区划级别", [
    ("county", "县", ["区", "县级", "县（区）"]),
    ("township", "乡镇", ["乡", "镇", "街道", "乡（镇）"]),
    ("village", "行政村", ["村", "社区"]),
])

LINE_KIND = _v("line_kind", "标准线", [
    ("poverty", "贫困线", ["扶贫标准", "贫困标准"]),
    ("monitoring", "监测线", ["防返贫监测线", "监测标准"]),
])

ALL: dict[str, Vocabulary] = {
    v.name: v
    for v in (
        ATTRIBUTE, STANDARD, CAUSE, HOUSING, YES_NO, SEX, RELATION, ETHNICITY, EDUCATION, SCHOOL_STATUS, HEALTH,
        DISABILITY_GRADE, LABOUR, WORK, MEMBER_STATE, STATUS, MONITORING_TYPE, RISK, LEAD_SOURCE, ELIMINATION,
        EVENT_KIND, POLICY_CATEGORY, MEASURE_KIND, CADRE_ROLE, AREA_LEVEL, LINE_KIND,
    )
}


def parse_bool(value: object) -> bool | None:
    """是/否/√/Y/N/有/无/1/0 and booleans → True/False; None when empty or not recognised."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    code = YES_NO.lookup(value)
    return None if code is None else code == "true"


def bool_label(value: bool | None) -> str | None:
    """是 / 否 / None, for printed pages."""
    if value is None:
        return None
    return "是" if value else "否"


def split_codes(vocab: Vocabulary, text: str | None) -> list[str]:
    """Split a stored comma-separated list of codes."""
    if not text:
        return []
    return [c for c in text.split(",") if c]


def labels_of(vocab: Vocabulary, codes: str | None, sep: str = "、") -> str:
    """Render a stored comma-separated list of codes as labels."""
    return sep.join(vocab.label(c) or c for c in split_codes(vocab, codes))
