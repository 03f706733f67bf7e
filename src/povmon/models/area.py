"""The administrative tree: county 县 → township 乡/镇 → village 行政村."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from povmon.models.base import Base, intpk, name, timestamp

AREA_LEVELS = ("county", "township", "village")


class Area(Base):
    """A county, township or village, with its statistical division code when known (6, 9, 12 digits)."""

    __tablename__ = "area"
    __table_args__ = (
        UniqueConstraint("parent_id", "name"),
        CheckConstraint("level IN ('county', 'township', 'village')", name="level"),
    )

    id: Mapped[intpk]
    level: Mapped[str] = mapped_column(String(10))
    name: Mapped[name]
    code: Mapped[str | None] = mapped_column(String(12), unique=True, nullable=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), nullable=True, index=True)
    created_at: Mapped[timestamp]

    parent: Mapped[Area | None] = relationship(remote_side="Area.id", back_populates="children")
    children: Mapped[list[Area]] = relationship(back_populates="parent", order_by="Area.id")

    def __repr__(self) -> str:
        return f"Area({self.level} {self.name})"
