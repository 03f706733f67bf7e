"""Who may use povmon: one row per person, with a role and a scope (an area, or a cadre's pairings).

On PostgreSQL each user is also a database login of the same name: the database enforces the same scope
(row-level security, ``povmon.pgaccess``). On SQLite (one office, one machine) povmon runs single-user.
A user is never deleted, only disabled: the audit log names them for ever.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from povmon.models.area import Area
from povmon.models.assistance import Cadre
from povmon.models.base import Base, intpk, text_opt, timestamp


class AppUser(Base):
    """A povmon user: their login name, role (rules.access.ROLES), area or cadre, and whether they may still log in."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint("role IN ('county_admin', 'clerk', 'cadre', 'auditor')", name="role"),
    )

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(63), unique=True)  # the PostgreSQL login (63 bytes at most)
    role: Mapped[str] = mapped_column(String(16))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), nullable=True)  # None: the whole register
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadre.id"), nullable=True)  # a 帮扶干部's own record
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[timestamp]
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(), nullable=True)
    disabled_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    note: Mapped[text_opt]

    area: Mapped[Area | None] = relationship()
    cadre: Mapped[Cadre | None] = relationship()
