"""Comparing the models with a migrated database (what ``povmon db check`` reports)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from povmon.db import connect
from povmon.models import Base


def schema_differences(engine: Engine) -> list[str]:
    """Every difference autogenerate would turn into a migration; empty when models and database agree."""
    with connect(engine) as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "target_metadata": Base.metadata})
        diffs = compare_metadata(context, Base.metadata)
    return [_describe(d) for d in diffs]


def _describe(diff) -> str:
    if isinstance(diff, list):  # column modifications come grouped
        return "; ".join(_describe(d) for d in diff)
    kind, *rest = diff
    names = []
    for item in rest:
        name = getattr(item, "name", None)
        if name:
            names.append(str(name))
        elif isinstance(item, str):
            names.append(item)
    return f"{kind} {' '.join(names)}".strip()
