"""Projects (项目) and project assets (帮扶项目资产): data entry, validated and audited, never committed here.

A dividend (资产收益分红) is typed once: ``pay_dividend`` records it as a benefit of the household (政策账, the
asset-income policy) and, unless the income ledger already counts it, as property income of the month it was paid
(收入账; a monthly income entry, summed into the year like any other). A payment the 政策账 already holds (same
household, day and amount, an asset-income policy, not yet linked to a project) is linked rather than doubled —
and then the income ledger is left as it was, since the benefit was recorded before.
An asset's status is history (AssetStatus); ``set_status`` adds an event, never edits one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from povmon.models import (
    Area,
    AssetStatus,
    Benefit,
    Household,
    Income,
    Policy,
    Project,
    ProjectAsset,
    ProjectBeneficiary,
    ProjectDividend,
    ProjectFunding,
)
from povmon.rules import checks, parse
from povmon.rules.checks import Problem
from povmon.rules.projects import ASSET_OWNER, ASSET_STATUS, FUNDING_SOURCE, PROJECT_KIND
from povmon.rules.text import clean_text
from povmon.services.entry import Cleaner, Outcome, Refused, change, insert

DIVIDEND_POLICY = "资产收益分红"  # the policy a dividend is paid under unless the project names its own


def _text(clean: Cleaner, title: str, raw: object, limit: int, *, required: bool = False) -> str | None:
    return clean.value(title, lambda v: parse.text(v, limit), raw, required=required)


def _amount(clean: Cleaner, title: str, raw: object, *, required: bool = False) -> Decimal | None:
    return clean.value(title, lambda v: parse.amount(v, blank_is_zero=False), raw, required=required)


def find(session: Session, name: str, area: Area | None = None) -> Project:
    """The project a user names (by its name, within an area when two areas have one of that name)."""
    value = clean_text(name) or ""
    query = select(Project).where(Project.name == value)
    if area is not None:
        query = query.where(Project.area_id == area.id)
    found = list(session.scalars(query.order_by(Project.id)))
    if len(found) == 1:
        return found[0]
    if found:
        raise Refused([Problem("unknown_reference", f"有{len(found)}个项目叫“{value}”；请用 --area 指明所在村",
                               "项目")])
    raise Refused(checks.reference("项目", value, 0), hint="已登记的项目见 povmon project list")


def add(session: Session, area: Area, *, name: object, kind: object, investment: object, start: object = None,
        completed: object = None, dividend: object = None, description: object = None, user: str,
        today: dt.date | None = None) -> Outcome:
    """Register a project of an area."""
    clean = Cleaner()
    title = _text(clean, "项目名称", name, 200, required=True)
    code = clean.value("项目类别", lambda v: parse.term(PROJECT_KIND, v, required=True), kind)
    money = _amount(clean, "总投资", investment, required=True)
    begun = clean.date("开工日期", start, required=False, today=today)
    done = clean.date("完工日期", completed, required=False, today=today)
    per_household = _amount(clean, "每户年分红", dividend)
    if begun and done and done < begun:
        clean.problems.append(Problem("bad_date", "完工日期早于开工日期；请核对", "完工日期"))
    if title and session.scalar(select(Project.id).where(Project.area_id == area.id, Project.name == title)):
        clean.problems.append(Problem("bad_value", f"{area.name}已有项目“{title}”；不必重复登记", "项目名称"))
    clean.check()
    outcome = Outcome()
    insert(session, outcome, Project(name=title, area=area, kind=code, investment=money, start_on=begun,
                                     completed_on=done, dividend_per_household=per_household,
                                     description=clean_text(description)), user=user)
    return outcome


def fund(session: Session, project: Project, *, source: object, amount: object, note: object = None,
         user: str) -> Outcome:
    """Add money a project received from one source; warns when the sources exceed the investment."""
    clean = Cleaner()
    code = clean.value("资金来源", lambda v: parse.term(FUNDING_SOURCE, v, required=True), source)
    money = _amount(clean, "金额", amount, required=True)
    clean.check()
    outcome = Outcome()
    insert(session, outcome, ProjectFunding(project=project, source=code, amount=money, note=clean_text(note)),
           user=user)
    total = sum((f.amount for f in project.funding), Decimal("0"))
    if total > project.investment:
        outcome.warnings.append(Problem("funding_exceeds", f"项目“{project.name}”各来源资金合计 {total:.2f} 元，"
                                        f"超过总投资 {project.investment:.2f} 元；请核对", "金额"))
    return outcome


def add_beneficiary(session: Session, project: Project, household: Household, *, since: object = None,
                    area_mu: object = None, quantity: object = None, note: object = None, user: str,
                    today: dt.date | None = None) -> Outcome:
    """A household a project benefits (once per project), with its share in 亩 or pieces when it has one."""
    clean = Cleaner()
    day = clean.date("受益日期", since, required=False, today=today)
    mu = clean.value("面积（亩）", parse.decimal2, area_mu)
    count = clean.value("数量", lambda v: parse.integer(v, low=0), quantity)
    if session.scalar(select(ProjectBeneficiary.id).where(ProjectBeneficiary.project_id == project.id,
                                                          ProjectBeneficiary.household_id == household.id)):
        clean.problems.append(Problem("bad_value", f"户 {household.code} 已是项目“{project.name}”的受益户", "户编号"))
    clean.check()
    outcome = Outcome()
    insert(session, outcome, ProjectBeneficiary(project=project, household=household, since=day, area_mu=mu,
                                                quantity=count, note=clean_text(note)), user=user)
    return outcome


def _policy(session: Session, outcome: Outcome, name: str, user: str) -> Policy:
    policy = session.scalar(select(Policy).where(Policy.name == name))
    if policy is None:
        policy = Policy(name=name, category="asset_income")
        insert(session, outcome, policy, user=user, note="新政策（发放项目分红时建立）")
    return policy


def _existing_benefit(session: Session, household: Household, day: dt.date, amount: Decimal) -> Benefit | None:
    """A benefit the 政策账 already holds for this payment (an asset-income policy, not linked to a project yet)."""
    linked = select(ProjectDividend.benefit_id)
    return session.scalar(
        select(Benefit).join(Policy, Benefit.policy_id == Policy.id)
        .where(Benefit.household_id == household.id, Benefit.benefit_date == day, Benefit.amount == amount,
               Policy.category == "asset_income", Benefit.id.not_in(linked))
        .order_by(Benefit.id).limit(1))


def pay_dividend(session: Session, project: Project, household: Household, *, year: object, paid_on: object,
                 amount: object = None, count_income: object = True, policy: object = None, user: str,
                 today: dt.date | None = None) -> Outcome:
    """Pay a beneficiary household a year's dividend: a benefit (政策账) and property income (收入账), typed once."""
    clean = Cleaner()
    the_year = clean.value("分红年度", parse.year, year, required=True)
    day = clean.date("发放日期", paid_on, today=today)
    money = _amount(clean, "分红金额", amount)
    counts = clean.value("计入收入", lambda v: parse.boolean(v, "计入收入"), count_income)
    policy_name = _text(clean, "政策名称", policy, 100) or DIVIDEND_POLICY
    if money is None:
        money = project.dividend_per_household
        if money is None:
            clean.problems.append(Problem("required_missing", f"项目“{project.name}”没有登记每户年分红；请写明分红金额",
                                          "分红金额"))
    if money is not None and money <= 0:
        clean.problems.append(Problem("bad_number", "分红金额应大于0", "分红金额"))
    if not session.scalar(select(ProjectBeneficiary.id).where(ProjectBeneficiary.project_id == project.id,
                                                              ProjectBeneficiary.household_id == household.id)):
        clean.problems.append(Problem("unknown_reference", f"户 {household.code} 不是项目“{project.name}”的受益户；"
                                      "请先登记受益户（povmon project beneficiary）", "户编号"))
    if the_year and session.scalar(select(ProjectDividend.id).where(
            ProjectDividend.project_id == project.id, ProjectDividend.household_id == household.id,
            ProjectDividend.year == the_year)):
        clean.problems.append(Problem("bad_value", f"户 {household.code} {the_year}年的“{project.name}”分红已发放；"
                                      "不必重复登记", "分红年度"))
    clean.check()
    outcome = Outcome()
    benefit = _existing_benefit(session, household, day, money)
    income = None
    if benefit is None:
        benefit = Benefit(household=household, policy=_policy(session, outcome, policy_name, user), benefit_date=day,
                          amount=money, note=f"{project.name} {the_year}年分红")
        insert(session, outcome, benefit, user=user)
        if counts is not False:
            income = _add_property_income(session, outcome, household, day, money, project, user)
    else:
        outcome.facts["linked_benefit"] = benefit.id
    insert(session, outcome, ProjectDividend(project=project, household=household, year=the_year, paid_on=day,
                                             amount=money, benefit=benefit, income=income), user=user)
    return outcome


def _add_property_income(session: Session, outcome: Outcome, household: Household, day: dt.date, money: Decimal,
                         project: Project, user: str) -> Income:
    """Property income of the month the dividend was paid (an existing entry of that month grows; audited)."""
    entry = session.scalar(select(Income).where(Income.household_id == household.id, Income.year == day.year,
                                                Income.month == day.month))
    why = f"{project.name}分红 {money:.2f} 元"
    if entry is None:
        entry = Income(household=household, year=day.year, month=day.month, property=money, note=why)
        insert(session, outcome, entry, user=user, note=why)
    else:
        change(session, outcome, entry, {"property": entry.property + money}, user=user, note=why)
    return entry


def unpaid(session: Session, year: int, areas: list[int] | None = None) -> list[dict]:
    """Projects that pay dividends (资产收益, or a yearly dividend registered) whose beneficiaries were not all paid."""
    query = select(Project).where((Project.kind == "asset_income") | Project.dividend_per_household.is_not(None))
    if areas is not None:
        query = query.where(Project.area_id.in_(areas))
    rows = []
    for project in session.scalars(query.order_by(Project.id)):
        if project.start_on and project.start_on.year > year:
            continue
        paid = {d.household_id for d in project.dividends if d.year == year}
        missing = sorted(b.household.code for b in project.beneficiaries if b.household_id not in paid)
        if missing or not project.beneficiaries:
            rows.append({"project": project.name, "area": project.area.name, "year": year,
                         "beneficiaries": len(project.beneficiaries), "paid": len(paid), "unpaid": missing})
    return rows


# --- assets -------------------------------------------------------------------------------------------------


def find_asset(session: Session, name: str) -> ProjectAsset:
    """An asset by its name (unique within its project; two projects' assets of one name need the project)."""
    value = clean_text(name) or ""
    found = list(session.scalars(select(ProjectAsset).where(ProjectAsset.name == value).order_by(ProjectAsset.id)))
    if len(found) == 1:
        return found[0]
    if found:
        raise Refused([Problem("unknown_reference", f"有{len(found)}项资产叫“{value}”；请用 --project 指明所属项目",
                               "资产")])
    raise Refused(checks.reference("资产", value, 0), hint="已登记的资产见 povmon asset list")


def add_asset(session: Session, project: Project, *, name: object, value: object, owner: object,
              custodian: object = None, status: object = "在用", status_on: object = None, note: object = None,
              user: str, today: dt.date | None = None) -> Outcome:
    """Register an asset a project created, with its first status."""
    clean = Cleaner()
    title = _text(clean, "资产名称", name, 200, required=True)
    money = _amount(clean, "资产价值", value, required=True)
    owner_code = clean.value("资产权属", lambda v: parse.term(ASSET_OWNER, v, required=True), owner)
    keeper = _text(clean, "管护主体", custodian, 100)
    status_code = clean.value("资产状态", lambda v: parse.term(ASSET_STATUS, v, required=True), status)
    day = clean.date("状态日期", status_on if status_on is not None else project.completed_on, required=False,
                     today=today)
    if day is None and not any(p.field == "状态日期" for p in clean.problems):
        clean.problems.append(Problem("required_missing", "状态日期不能为空（项目也没有完工日期）；请填写", "状态日期"))
    if title and session.scalar(select(ProjectAsset.id).where(ProjectAsset.project_id == project.id,
                                                              ProjectAsset.name == title)):
        clean.problems.append(Problem("bad_value", f"项目“{project.name}”已有资产“{title}”", "资产名称"))
    clean.check()
    outcome = Outcome()
    asset = ProjectAsset(project=project, name=title, value=money, owner=owner_code, custodian=keeper,
                         note=clean_text(note))
    insert(session, outcome, asset, user=user)
    insert(session, outcome, AssetStatus(asset=asset, status=status_code, status_on=day), user=user)
    return outcome


def set_status(session: Session, asset: ProjectAsset, *, status: object, on: object, note: object = None,
               user: str, today: dt.date | None = None) -> Outcome:
    """An asset's status from a day (闲置, 损毁, back in use, 处置); a disposed asset's history is closed."""
    clean = Cleaner()
    code = clean.value("资产状态", lambda v: parse.term(ASSET_STATUS, v, required=True), status)
    day = clean.date("状态日期", on, today=today)
    clean.check()
    before = asset.status_on(day)
    later = [s for s in asset.statuses if s.status_on > day]
    if later:
        clean.problems.append(Problem("bad_date", f"资产“{asset.name}”在 {later[0].status_on.isoformat()} 已有更晚的"
                                      "状态记录；请按时间顺序登记", "状态日期"))
    elif before is not None and before.status == "disposed":
        clean.problems.append(Problem("status_transition", f"资产“{asset.name}”已于 {before.status_on.isoformat()} "
                                      "处置，不能再改状态", "资产状态"))
    elif before is not None and before.status == code:
        clean.problems.append(Problem("bad_value", f"资产“{asset.name}”自 {before.status_on.isoformat()} 起已是"
                                      f"{ASSET_STATUS.label(code)}", "资产状态"))
    clean.check()
    outcome = Outcome()
    insert(session, outcome, AssetStatus(asset=asset, status=code, status_on=day, note=clean_text(note)), user=user,
           note=clean_text(note))
    return outcome
