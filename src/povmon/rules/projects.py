"""Projects, project assets, employment, training and party membership: vocabularies and thresholds as data.

The words clerks type for a project's kind, a funding source, an asset's owner and status, a political status;
and the figures the reports count by (a monthly wage that "reaches 1,000 yuan", the party statuses that count as
party members). Nothing here reads a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from povmon.rules.vocab import Term, Vocabulary


def _v(name: str, title: str, terms: Iterable[tuple]) -> Vocabulary:
    built = tuple(Term(code, label, tuple(rest[0]) if rest else ()) for code, label, *rest in terms)
    return Vocabulary(name, title, built)


PROJECT_KIND = _v("project_kind", "项目类别", [
    ("infrastructure", "基础设施", ["基础设施类", "基础设施项目", "基建"]),
    ("industry", "产业", ["产业类", "产业项目", "产业发展"]),
    ("asset_income", "资产收益", ["资产收益类", "资产收益项目", "光伏"]),
    ("employment", "就业", ["就业类", "就业项目", "扶贫车间"]),
    ("other", "其他", ["其它"]),
])

FUNDING_SOURCE = _v("funding_source", "资金来源", [
    ("central", "中央财政", ["中央财政专项扶贫资金", "中央资金", "中央"]),
    ("provincial", "省级财政", ["省级资金", "省财政", "省级"]),
    ("city", "市级财政", ["市级资金", "市财政", "市级"]),
    ("county", "县级财政", ["县级资金", "县财政", "县级"]),
    ("integrated", "涉农整合资金", ["统筹整合资金", "整合资金"]),
    ("paired_unit", "帮扶单位", ["帮扶单位资金", "单位帮扶"]),
    ("donation", "社会捐助", ["社会资金", "企业捐助", "捐赠"]),
    ("loan", "银行贷款", ["贷款", "信贷资金"]),
    ("self", "群众自筹", ["自筹", "农户自筹", "村集体自筹"]),
    ("other", "其他", ["其它"]),
])

ASSET_OWNER = _v("asset_owner", "资产权属", [
    ("village_collective", "村集体", ["村集体所有", "集体", "村集体经济组织"]),
    ("state", "国有", ["国有资产", "国家"]),
    ("household", "农户", ["到户资产", "个人"]),
])

ASSET_STATUS = _v("asset_status", "资产状态", [
    ("in_use", "在用", ["正常", "运营", "正常运营", "使用中"]),
    ("idle", "闲置", ["停用", "未使用"]),
    ("damaged", "损毁", ["损坏", "毁损"]),
    ("disposed", "处置", ["已处置", "报废", "拍卖", "转让"]),
])
ASSETS_NEEDING_ATTENTION = ("idle", "damaged")  # 资产监管: listed for the county until put back to use

POLITICAL_STATUS = _v("political_status", "政治面貌", [
    ("party_member", "中共党员", ["党员", "共产党员"]),
    ("probationary", "中共预备党员", ["预备党员"]),
    ("league_member", "共青团员", ["团员"]),
    ("other_party", "民主党派", ["民主党派成员"]),
    ("masses", "群众", ["普通群众"]),
])
PARTY = frozenset({"party_member", "probationary"})  # 党员人数 counts full and probationary members

INDUSTRY = _v("industry", "行业", [
    ("livestock", "畜牧养殖", ["畜牧", "养殖", "畜牧业"]),
    ("planting", "种植", ["现代种植业", "种植业"]),
    ("processing", "农产品加工", ["农产品加工业", "加工"]),
    ("manufacturing", "工业", ["工业企业", "制造业", "包装"]),
    ("trade", "商贸物流", ["商贸", "物流", "市场"]),
    ("service", "服务", ["服务业", "家政"]),
    ("cooperative", "合作社", ["专业合作社", "农民专业合作社"]),
    ("public_post", "公益岗位", ["公益性岗位", "护林员"]),
    ("other", "其他", ["其它"]),
])

# 月收入达到1000元以上 (the seed): a job counts when its monthly wage reaches this (a county may set its own)
MONTHLY_WAGE_THRESHOLD = Decimal("1000")


def yearly(monthly: Decimal | None, months: int = 12) -> Decimal | None:
    """A monthly wage as a year's wage."""
    return None if monthly is None else monthly * months
