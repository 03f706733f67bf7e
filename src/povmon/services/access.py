"""The acting user and their scope, applied to every read and write a session makes.

``resolve`` finds who acts: on SQLite (one office, one machine) the single user ``--user`` names, with every right;
on PostgreSQL the database login — a povmon user (``app_user``) with a role and a scope, or the database's owner
(who installed it) with every right. ``install`` puts that actor on a session:

- every ORM SELECT the session runs (services, reports, lookups alike) gets the scope as loader criteria
  (SQLAlchemy's ``with_loader_criteria``), so a list, a search, a ledger or a summary holds only what the user may
  see — on PostgreSQL the database's own policies (``povmon.pgaccess``) say the same again;
- every flush is checked before it reaches the database: a role writing a table it may not write, or a row of a
  household outside the scope, is refused (``Refused`` / ``OutOfScope``) with one sentence naming the area.

A refusal is audited (action ``refused``) after the unit of work rolls back (``record_refusal``), so the attempt
stays on record although nothing else was written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from sqlalchemy import ColumnElement, event, select, text
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from povmon import config
from povmon.errors import PovmonError
from povmon.models import (
    AppUser,
    Area,
    Benefit,
    DeptRow,
    Employment,
    Household,
    HouseholdEvent,
    Income,
    Lead,
    LeadStep,
    Measure,
    Member,
    Pairing,
    PoliticalStatus,
    ProjectBeneficiary,
    ProjectDividend,
    TrainingParticipant,
    Visit,
)
from povmon.rules import access

ACTOR = "povmon_actor"  # key of Session.info
UNSCOPED = "povmon_unscoped"  # execution option: a statement that must see past the scope (resolving the actor)


class Refused(PovmonError):
    """The acting user's role does not allow the action (exit 1, audited)."""

    def __init__(self, message: str, *, action: str, table: str | None = None, row_id: int | None = None):
        super().__init__(message)
        self.action, self.table, self.row_id = action, table, row_id


class OutOfScope(Refused):
    """A household outside the acting user's area or pairings (code ``out_of_scope``)."""


@dataclass(frozen=True)
class Actor:
    """Who acts, with what role and over which households."""

    name: str
    role: str = "county_admin"
    single_user: bool = False  # SQLite: one office, one machine, every right
    installer: bool = False  # PostgreSQL: the database's owner, not a povmon user
    area_id: int | None = None
    area_label: str | None = None  # 西营镇, 西营镇/东营村 … (None: the whole register)
    cadre_id: int | None = None
    cadre_name: str | None = None
    village_ids: frozenset[int] | None = None  # None: every village
    area_ids: frozenset[int] | None = field(default=None, repr=False)  # the areas under the scope (townships too)
    household_ids: frozenset[int] | None = field(default=None, repr=False)  # a cadre's paired households

    @property
    def sees_all(self) -> bool:
        return self.village_ids is None and self.household_ids is None

    @property
    def role_label(self) -> str:
        return access.ROLES[self.role]

    def may(self, action_name: str) -> bool:
        return access.may(self.role, action_name)

    @property
    def scope_label(self) -> str:
        """The scope in a clerk's words: 全县、西营镇、与 王五 结对的户."""
        if self.household_ids is not None:
            return f"与{self.cadre_name or self.name}结对的户"
        return self.area_label or "全部地区"

    def household_visible(self, household_id: int | None, village_id: int | None = None) -> bool:
        """Whether a household (by id, or a new one by its village) lies in the scope."""
        if self.household_ids is not None:
            return household_id is not None and household_id in self.household_ids
        if self.village_ids is None:
            return True
        return village_id is not None and village_id in self.village_ids

    def area_visible(self, area_id: int | None) -> bool:
        """Whether an area lies in the scope (a new village under a township the clerk has, say)."""
        if self.household_ids is not None:
            return False
        return self.area_ids is None or (area_id is not None and area_id in self.area_ids)

    @property
    def who(self) -> str:
        """乡镇专干 王芳."""
        return f"{self.role_label} {self.name}"

    def village_visible(self, village_id: int | None) -> bool:
        if self.household_ids is not None:
            return False
        return self.village_ids is None or (village_id is not None and village_id in self.village_ids)


def single_user(name: str | None = None) -> Actor:
    """The actor of a SQLite register: one office, one machine, every right."""
    return Actor(name=config.acting_user(name), single_user=True)


def resolve(session: Session, cli_user: str | None = None, *, on: dt.date | None = None) -> Actor:
    """Who acts on this session's database: see the module's text. Refused (one sentence) when nobody may."""
    if session.get_bind().dialect.name != "postgresql":
        return single_user(cli_user)
    login, superuser, owner = session.execute(text(
        "SELECT current_user, r.rolsuper, pg_get_userbyid(d.datdba) = current_user FROM pg_roles r, pg_database d "
        "WHERE r.rolname = current_user AND d.datname = current_database()")).one()
    if cli_user and cli_user != login:
        raise PovmonError(login_mismatch(login, cli_user))
    user = session.scalar(select(AppUser).where(AppUser.name == login).execution_options(**{UNSCOPED: True}))
    if user is None:
        if superuser or owner:
            return Actor(name=login, installer=True)
        raise PovmonError(f"数据库登录 {login} 不是 povmon 的用户；请县级管理员运行 "
                          f"povmon user add {login} --role 乡镇专干 --area 乡镇 为其开户。")
    if not user.active:
        raise PovmonError(f"用户 {login} 已停用；如需恢复，请找县级管理员。")
    return of_user(session, user, on=on)


def login_mismatch(login: str, wanted: str) -> str:
    """The sentence refusing a --user other than the PostgreSQL login."""
    return (f"在 PostgreSQL 上操作人就是数据库登录名（现在是 {login}），不能用 --user {wanted}；"
            f"请以 {wanted} 自己的登录连接（--db postgresql://{wanted}@服务器/库名）。")


def of_user(session: Session, user: AppUser, *, on: dt.date | None = None) -> Actor:
    """The actor of a povmon user: their role, and their scope read from the area tree or their pairings."""
    base = Actor(name=user.name, role=user.role, area_id=user.area_id, cadre_id=user.cadre_id)
    kind = access.SCOPE_KIND[user.role]
    if kind == "pairings":
        day = on or dt.date.today()
        households = session.scalars(
            select(Pairing.household_id).where(Pairing.cadre_id == user.cadre_id, Pairing.active_on(day))
            .execution_options(**{UNSCOPED: True}))
        cadre_name = user.cadre.name if user.cadre is not None else None
        return replace(base, household_ids=frozenset(households), village_ids=frozenset(), cadre_name=cadre_name)
    if kind == "area" and user.area_id is not None:
        villages, areas, label = villages_under(session, user.area_id)
        return replace(base, village_ids=villages, area_ids=areas, area_label=label)
    return base


def villages_under(session: Session, area_id: int) -> tuple[frozenset[int], frozenset[int], str]:
    """The villages under an area (itself, when a village), every area under it, and its path (西营镇/东营村)."""
    rows = session.execute(select(Area.id, Area.parent_id, Area.level, Area.name)
                           .execution_options(**{UNSCOPED: True})).all()
    children: dict[int | None, list] = {}
    by_id = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
        by_id[row.id] = row
    found: set[int] = set()
    under: set[int] = set()
    stack = [by_id[area_id]] if area_id in by_id else []
    while stack:
        node = stack.pop()
        under.add(node.id)
        if node.level == "village":
            found.add(node.id)
        stack.extend(children.get(node.id, ()))
    path, node = [], by_id.get(area_id)
    while node is not None and node.level != "county":
        path.append(node.name)
        node = by_id.get(node.parent_id)
    label = "/".join(reversed(path)) or (by_id[area_id].name if area_id in by_id else "")
    return frozenset(found), frozenset(under), label


# --- the session ------------------------------------------------------------------------------------------------

def install(session: Session, actor: Actor) -> Actor:
    """Make every read and write of the session go through the actor's scope; returns the actor."""
    session.info[ACTOR] = actor
    return actor


def actor_of(session: Session) -> Actor | None:
    """The actor installed on a session (None: a library caller that installed none — no scope applies)."""
    return session.info.get(ACTOR)


def scope_hint(session: Session) -> str:
    """（您能看到的是：西营镇） after a "nothing found", when the acting user sees only part of the register."""
    actor = actor_of(session)
    if actor is None or actor.sees_all:
        return ""
    return f"（{actor.who} 能看到的只是{actor.scope_label}）"


def require(session: Session, action_name: str, what: str | None = None) -> None:
    """Refuse, with one sentence naming the roles that may, when the acting user's role lacks the action."""
    actor = actor_of(session)
    if actor is None or actor.may(action_name):
        return
    raise Refused(f"{actor.role_label} {actor.name} 没有“{what or access.ACTIONS[action_name]}”的权限；"
                  f"这件事请由{access.labels(access.holders(action_name))}办理。", action=action_name)


def household_criteria(actor: Actor) -> ColumnElement[bool]:
    """The households the actor sees, as a WHERE clause on Household."""
    if actor.household_ids is not None:
        return Household.id.in_(sorted(actor.household_ids))
    return Household.village_id.in_(sorted(actor.village_ids or ()))


def _household_ids(actor: Actor):
    if actor.household_ids is not None:
        return sorted(actor.household_ids)
    return select(Household.id).where(Household.village_id.in_(sorted(actor.village_ids or ()))).scalar_subquery()


# Every model holding a household's or a person's data, and how it reaches its household.
BY_HOUSEHOLD = (Member, HouseholdEvent, Income, Benefit, Pairing, Measure, Visit, Lead, ProjectBeneficiary,
                ProjectDividend, DeptRow)
BY_MEMBER = (Employment, TrainingParticipant)


def _criteria(actor: Actor) -> list:
    households = _household_ids(actor)
    options = [with_loader_criteria(Household, household_criteria(actor), include_aliases=True)]
    for model in BY_HOUSEHOLD:
        # (a department's row that matched nobody in the register has no household: the county's, not a village's)
        options.append(with_loader_criteria(model, model.household_id.in_(households), include_aliases=True))
    members = select(Member.id).where(Member.household_id.in_(households)).scalar_subquery()
    for model in BY_MEMBER:
        options.append(with_loader_criteria(model, model.member_id.in_(members), include_aliases=True))
    # a person by the keyed hash of their ID number (the numbers themselves are encrypted: models.sealed)
    people = select(Member.id_hash).where(Member.household_id.in_(households)).scalar_subquery()
    options.append(with_loader_criteria(PoliticalStatus, PoliticalStatus.id_hash.in_(people), include_aliases=True))
    options.append(with_loader_criteria(
        LeadStep, LeadStep.lead_id.in_(select(Lead.id).where(Lead.household_id.in_(households)).scalar_subquery()),
        include_aliases=True))
    return options


@event.listens_for(Session, "do_orm_execute")
def _scope_reads(state: ORMExecuteState) -> None:
    actor = state.session.info.get(ACTOR)
    if actor is None or actor.sees_all or state.execution_options.get(UNSCOPED):
        return
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(*_criteria(actor))


def _household_of(session: Session, obj) -> tuple[int | None, int | None] | None:
    """(household id, village id) a record belongs to, None when it belongs to no household."""
    if isinstance(obj, Household):
        return obj.id, obj.village_id
    household_id = getattr(obj, "household_id", None)
    if household_id is None and getattr(obj, "household", None) is not None:
        household_id = obj.household.id
    if household_id is None and hasattr(obj, "member_id") and obj.member_id is not None:
        household_id = session.execute(select(Member.household_id).where(Member.id == obj.member_id)
                                       .execution_options(**{UNSCOPED: True})).scalar()
    if household_id is None and isinstance(obj, LeadStep):
        household_id = session.execute(select(Lead.household_id).where(Lead.id == obj.lead_id)
                                       .execution_options(**{UNSCOPED: True})).scalar()
    if household_id is None:
        return None
    village_id = session.execute(select(Household.village_id).where(Household.id == household_id)
                                 .execution_options(**{UNSCOPED: True})).scalar()
    return household_id, village_id


@event.listens_for(Session, "before_flush")
def _check_writes(session: Session, _context, _instances) -> None:
    actor = session.info.get(ACTOR)
    if actor is None or actor.single_user or actor.installer:
        return
    with session.no_autoflush:
        for obj in [*session.new, *session.dirty, *session.deleted]:
            table = getattr(obj, "__tablename__", None)
            if table is None:
                continue
            if not access.may_write(actor.role, table):
                raise Refused(f"{actor.role_label} {actor.name} 不能修改“{access.table_label(table)}”的记录；"
                              f"请由{access.labels(k for k in access.ROLES if access.may_write(k, table))}办理。",
                              action="write", table=table, row_id=getattr(obj, "id", None))
            if actor.sees_all:
                continue
            owner = _household_of(session, obj)
            if owner is None:
                continue
            household_id, village_id = owner
            if isinstance(obj, Household) and (household_id is None or obj in session.new):
                visible = actor.village_visible(village_id)  # a new household: by the village it is registered in
            else:
                visible = actor.household_visible(household_id, village_id)
            if not visible:
                raise out_of_scope(session, actor, household_id, village_id, table=table)


def out_of_scope(session: Session, actor: Actor, household_id: int | None, village_id: int | None, *,
                 table: str = "household", code: str | None = None) -> OutOfScope:
    """The refusal of a household outside the actor's scope, naming the household's area and the actor's."""
    where = area_path(session, village_id) if village_id is not None else ""
    if code is None and household_id is not None:
        code = session.execute(select(Household.code).where(Household.id == household_id)
                               .execution_options(**{UNSCOPED: True})).scalar()
    who = f"户 {code}" if code else "这户"
    return OutOfScope(f"{who}{f'（{where}）' if where else ''}不在{actor.role_label} {actor.name} 的范围"
                      f"（{actor.scope_label}）内；请由该地的乡镇专干或县级管理员办理。",
                      action="out_of_scope", table=table, row_id=household_id)


def area_path(session: Session, area_id: int | None) -> str:
    """西营镇/东营村 for a village (the county left out)."""
    parts = []
    while area_id is not None:
        row = session.execute(select(Area.name, Area.level, Area.parent_id).where(Area.id == area_id)
                              .execution_options(**{UNSCOPED: True})).first()
        if row is None or row.level == "county":
            break
        parts.append(row.name)
        area_id = row.parent_id
    return "/".join(reversed(parts))


def record_refusal(session: Session, actor: Actor, refusal: Refused, command: str | None = None) -> None:
    """The audit row of a refused attempt (action ``refused``), written by the caller in a transaction of its own."""
    from povmon.services import audit

    note = str(refusal)
    if command:
        note = f"{command}：{note}"
    audit.log(session, user=actor.name, action="refused", table=refusal.table or "-", row_id=refusal.row_id,
              field=refusal.action, note=note[:2000])
