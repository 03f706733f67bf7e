"""The administrative tree: add a county, township or village, rename one, list them, find one by name or code."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from povmon.models import Area, Household
from povmon.rules import checks, parse
from povmon.rules.text import clean_text
from povmon.rules.vocab import AREA_LEVEL
from povmon.services import lookup
from povmon.services.entry import Cleaner, Outcome, Refused, change, insert
from povmon.services.lookup import PARENT_LEVEL, AreaTree, path_of


def find(session: Session, text: str, level: str | None = None) -> Area:
    """The one area meant by a name, code or path; Refused with ``unknown_area`` otherwise (services.lookup)."""
    node, problems = AreaTree.load(session).find(text, level)
    if problems:
        raise Refused(problems)
    return session.get(Area, node.id)


def add(
    session: Session, *, name: object, level: object, parent: str | Area | None = None, code: object = None,
    user: str,
) -> Outcome:
    """Add a county, township or village (with its statistical code when known) under its parent."""
    clean = Cleaner()
    area_name = clean.value("名称", parse.area_name, name, required=True)
    area_level = clean.value("级别", lambda v: parse.term(AREA_LEVEL, v), level, required=True)
    area_code = clean.value("区划代码", lambda v: clean_text(v), code)
    clean.check()
    parent_area: Area | None = None
    if area_level in PARENT_LEVEL:
        if parent is None or (isinstance(parent, str) and not parent.strip()):
            want = "县" if area_level == "township" else "乡镇"
            raise Refused([checks.missing(f"上级{want}")])
        parent_area = parent if isinstance(parent, Area) else find(session, parent, PARENT_LEVEL[area_level])
        if parent_area.level != PARENT_LEVEL[area_level]:
            want = checks.LEVEL_TITLE[PARENT_LEVEL[area_level]]
            raise Refused([checks.Problem(
                "unknown_area",
                f"{path_of(parent_area)} 不是{want}：{checks.LEVEL_TITLE[area_level]}的上级应是{want}", "上级",
            )])
    elif parent:
        raise Refused([checks.Problem("bad_value", "县是最高一级，不能有上级；请去掉上级", "上级")])
    clean.add(_clashes(session, area_level, area_name, area_code, parent_area))
    clean.check()
    outcome = Outcome()
    area = Area(level=area_level, name=area_name, code=area_code or None, parent=parent_area)
    insert(session, outcome, area, user=user)
    outcome.facts["path"] = path_of(area)
    return outcome


def _clashes(session: Session, level: str, name: str, code: str | None, parent: Area | None, *,
             itself: Area | None = None) -> list[checks.Problem]:
    """What stops an area of this name and code under this parent (``itself``: the area being renamed).

    The code's own rule (rules.checks.area_code, the importer's too), another area of the same name under the
    same parent and a code another area has. Names compare as the importer compares them (services.lookup).
    """
    problems = checks.area_code(level, code, parent.code if parent else None, parent.name if parent else None)
    tree = AreaTree.load(session)
    sibling = tree.child(tree.by_id.get(parent.id) if parent else None, name)
    if sibling is not None and (itself is None or sibling.id != itself.id):
        problems.append(checks.Problem(
            "bad_value", f"{path_of(sibling)} 已经存在；{'不能改成同名' if itself else '不必重复建立'}",
            "新名称" if itself else "名称"))
    taken = next((n for n in tree.nodes if code and n.code == code and (itself is None or n.id != itself.id)), None)
    if taken is not None:
        problems.extend(checks.area_code_taken(code, path_of(taken)))
    return problems


def rename(session: Session, area: str | Area, new_name: object, *, user: str, code: object = None,
           reason: str | None = None) -> Outcome:
    """Rename an area (and set or correct its code); the old name stays in the audit log."""
    target = area if isinstance(area, Area) else find(session, area)
    clean = Cleaner()
    name = clean.value("新名称", parse.area_name, new_name, required=True)
    new_code = clean.value("区划代码", lambda v: clean_text(v), code)
    clean.check()
    clean.add(_clashes(session, target.level, name, new_code, target.parent, itself=target))
    clean.check()
    outcome = Outcome()
    changes: dict[str, object] = {"name": name}
    if new_code:
        changes["code"] = new_code
    change(session, outcome, target, changes, user=user, note=reason)
    if not outcome.changed:
        outcome.warnings.append(checks.Problem("unchanged", f"{path_of(target)} 本来就是这个名称，未作改动"))
    outcome.facts["path"] = path_of(target)
    return outcome


@dataclass(frozen=True)
class AreaRow:
    id: int
    level: str
    name: str
    code: str | None
    path: str
    parent: str | None
    households: int

    def as_json(self) -> dict:
        return {"level": self.level, "code": self.code, "name": self.name, "parent": self.parent,
                "path": self.path, "households": self.households}


def listing(session: Session, under: str | Area | None = None) -> list[AreaRow]:
    """The tree in order (county, its townships, their villages), with households per village and totals above."""
    areas = list(session.scalars(select(Area).order_by(Area.id)))
    per_village = Counter(dict(session.execute(
        select(Household.village_id, func.count()).group_by(Household.village_id)
    ).all()))
    children: dict[int | None, list[Area]] = {}
    for a in areas:
        children.setdefault(a.parent_id, []).append(a)

    def total(a: Area) -> int:
        return per_village.get(a.id, 0) + sum(total(c) for c in children.get(a.id, []))

    rows: list[AreaRow] = []

    def walk(a: Area) -> None:
        rows.append(AreaRow(a.id, a.level, a.name, a.code, path_of(a), a.parent.name if a.parent else None, total(a)))
        for c in sorted(children.get(a.id, []), key=lambda x: (x.code or "~", x.name)):
            walk(c)

    if under:
        roots = [under if isinstance(under, Area) else lookup.find_area(session, under)]
    else:
        roots = children.get(None, [])
    for root in roots:
        walk(root)
    return rows
