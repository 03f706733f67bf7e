"""What every data-entry service shares: refusing with problems, collecting what was stored, auditing it.

A service takes a session and values as a clerk typed them (or already clean Python values: the rules.parse
functions accept both), cleans them with the parser of the field of the same meaning, the importer's own
(``Cleaner.field``, rules.fields), checks the household-level rules of rules.checks (the importer's too), writes,
and logs every insert and every changed field with the acting user (services.audit).
It never commits: the caller owns the unit of work. It returns an ``Outcome``: the records stored, the
fields changed (old → new) and the warnings; or raises ``Refused`` with every problem found.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from povmon.errors import PovmonError
from povmon.models import Base
from povmon.rules import parse
from povmon.rules.checks import Problem, missing, not_future
from povmon.rules.fields import Field
from povmon.rules.idcard import IdCheck
from povmon.rules.money import yuan
from povmon.rules.parse import ValueProblem
from povmon.services import audit, fields

_HIDDEN = frozenset({"batch_id", "source_file", "source_sheet", "source_row", "updated_at"})


class Refused(PovmonError):
    """The change was refused: every problem found (codes of docs/CONTRACTS.md) and, maybe, what to do instead."""

    def __init__(self, problems: Iterable[Problem], hint: str | None = None):
        self.problems = list(problems)
        self.hint = hint
        text = "；".join(p.text for p in self.problems)
        super().__init__(text + (f"；{hint}" if hint else "") + ("" if text.endswith("。") else "。"))

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]


@dataclass
class Change:
    record: Base
    field: str
    old: object
    new: object


@dataclass
class Outcome:
    """What a service did: records inserted, fields changed, warnings, and facts worth showing (a checklist)."""

    stored: list[Base] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    facts: dict = field(default_factory=dict)

    @property
    def record(self) -> Base:
        """The main record: the first stored, else the first changed."""
        if self.stored:
            return self.stored[0]
        return self.changed[0].record

    def as_json(self) -> dict:
        """The JSON of what was stored (``--json`` of the data-entry commands)."""
        return {
            "stored": [record_json(r) for r in self.stored],
            "changed": [
                {"table": c.record.__tablename__, "id": c.record.id, "field": c.field,
                 "old": json_value(c.old), "new": json_value(c.new)}
                for c in self.changed
            ],
            "warnings": [w.as_json() for w in self.warnings],
            **self.facts,
        }


def json_value(value: object) -> object:
    """Money as a two-decimal string, dates as YYYY-MM-DD (docs/CONTRACTS.md)."""
    if isinstance(value, Decimal):
        return yuan(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def record_json(record: Base) -> dict:
    """A stored record as JSON: its table, its columns (codes as stored), and the household code if it has one."""
    data: dict = {"table": record.__tablename__}
    for attr in inspect(record).mapper.column_attrs:
        if attr.key not in _HIDDEN:
            data[attr.key] = json_value(getattr(record, attr.key))
    household = getattr(record, "household", None)
    if household is not None and hasattr(household, "code"):
        data["household"] = household.code
    return data


def insert(session: Session, outcome: Outcome, record: Base, *, user: str, note: str | None = None) -> Base:
    """Add a record entered by hand, log its insertion, and remember it in the outcome."""
    if hasattr(record, "created_by") and record.created_by is None:
        record.created_by = user
    session.add(record)
    audit.inserted(session, record, user=user, note=note)
    outcome.stored.append(record)
    return record


def change(
    session: Session, outcome: Outcome, record: Base, changes: dict[str, object], *, user: str, note: str | None = None
) -> dict[str, tuple[object, object]]:
    """Set fields, log each real change (old → new) and remember them in the outcome."""
    changed = audit.update(session, record, changes, user=user, note=note)
    outcome.changed.extend(Change(record, key, old, new) for key, (old, new) in changed.items())
    return changed


class Cleaner:
    """Clean several values, collecting every problem before refusing (a clerk fixes them all at once)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def value(self, title: str, parser: Callable[[object], object], raw: object, *, required: bool = False):
        """The clean value (None when blank or bad; the problem is kept), for a value no imported column holds."""
        try:
            result = parser(raw)
        except ValueProblem as exc:
            self.problems.append(Problem(exc.code, exc.message, title, about_value=True))
            return None
        if required and (result is None or result == [] or result == ""):
            self.problems.append(missing(title))
        return result

    def field(self, column: Field, raw: object, *, title: str | None = None, required: bool | None = None):
        """A value for a column the importer reads, cleaned by the importer's parser of that column.

        ``title`` names it in messages (default: the column's header); ``required`` defaults to the column's.
        An ID number is checked by the importer's hard rules and its ``id_area`` warning is kept; a blank
        value is None (an amount too: a correction leaves what is not given alone).
        """
        title = title or column.header
        result = None
        if not parse.is_blank(raw):
            try:
                result = fields.parser(column)(raw)
            except ValueProblem as exc:
                self.problems.append(Problem(exc.code, exc.message, title, about_value=True))
                return None
            if isinstance(result, IdCheck):
                if result.error is not None:
                    self.problems.append(Problem(result.error.code, result.error.message, title, about_value=True))
                    return None
                self.warnings.extend(Problem(w.code, w.message, title, about_value=True) for w in result.warnings)
                result = result.number
        if result is None and (column.required if required is None else required):
            self.problems.append(missing(title))
        return result

    def named(self, allowed: tuple[Field, ...], values: dict[str, object], what: str) -> dict[str, object]:
        """Clean {field name as typed: raw value} into {model attribute: value} (``--set``, ``edit``).

        A field is found among ``allowed`` by key, header, header alias or short name (services.fields);
        an unknown name is a problem listing the fields of ``what`` (户, 成员) that may be given.
        """
        result: dict[str, object] = {}
        for name, raw in values.items():
            spec = fields.find(allowed, name)
            if spec is None:
                self.problems.append(Problem(
                    "bad_value", f"没有名为“{name}”的{what}字段；可填：{fields.names(allowed)}", "字段"))
                continue
            result[spec.key] = self.field(spec, raw)
        return result

    def date(self, title: str, raw: object, *, required: bool = True, today: dt.date | None = None,
             future: bool = False) -> dt.date | None:
        """A date in any form the importer accepts; not after today unless future is allowed."""
        day = self.value(title, parse.date, raw, required=required)
        if day is not None and not future:
            self.problems.extend(not_future(day, title, today or dt.date.today()))
        return day

    def date_or_year(self, title: str, raw: object, *, today: dt.date | None = None) -> tuple[dt.date | None, bool]:
        """A date, or a bare year meaning 31 December (year_only); required; not after today."""
        if isinstance(raw, tuple):  # already (date, year_only)
            day, year_only = raw
        else:
            result = self.value(title, parse.date_or_year, raw)
            day, year_only = result if result else (None, False)
        if day is None:
            if not any(p.field == title for p in self.problems):
                self.problems.append(missing(title))
            return None, False
        self.problems.extend(not_future(day, title, today or dt.date.today(), year_only=year_only))
        return day, year_only

    def add(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def check(self, hint: str | None = None) -> None:
        """Refuse with every problem collected so far."""
        if self.problems:
            raise Refused(self.problems, hint)


def refuse(problems: list[Problem], hint: str | None = None) -> None:
    """Raise Refused when there is any problem."""
    if problems:
        raise Refused(problems, hint)
