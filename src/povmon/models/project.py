"""Projects (项目) and the assets they created (帮扶项目资产): funding, beneficiaries, dividends, asset status.

A dividend paid to a household is a benefit of the household (政策账): each ``ProjectDividend`` points at the
``Benefit`` that carries it, and at the income entry it added (收入账, property income) when it added one, so
the payment is typed once. An asset's status is history: ``AssetStatus`` events, the latest on or before a day.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from povmon.models.area import Area
from povmon.models.base import Base, Fixed2, Provenance, intpk, money, money_opt, text_opt
from povmon.models.household import Household
from povmon.models.income import Income
from povmon.models.policy import Benefit


class Project(Provenance, Base):
    """A project of an area (usually a village; a township's project names the township)."""

    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("area_id", "name"),)

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # rules.projects.PROJECT_KIND
    investment: Mapped[money]  # 总投资（元）
    start_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    completed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    dividend_per_household: Mapped[money_opt]  # 资产收益: the yearly dividend each beneficiary is due
    description: Mapped[text_opt]

    area: Mapped[Area] = relationship()
    funding: Mapped[list[ProjectFunding]] = relationship(back_populates="project", order_by="ProjectFunding.id")
    beneficiaries: Mapped[list[ProjectBeneficiary]] = relationship(
        back_populates="project", order_by="ProjectBeneficiary.id")
    dividends: Mapped[list[ProjectDividend]] = relationship(back_populates="project", order_by="ProjectDividend.id")
    assets: Mapped[list[ProjectAsset]] = relationship(back_populates="project", order_by="ProjectAsset.id")


class ProjectFunding(Provenance, Base):
    """Money a project received from one source (中央财政, 涉农整合资金, 帮扶单位 …)."""

    __tablename__ = "project_funding"

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    source: Mapped[str] = mapped_column(String(24))  # rules.projects.FUNDING_SOURCE
    amount: Mapped[money]
    note: Mapped[text_opt]

    project: Mapped[Project] = relationship(back_populates="funding")


class ProjectBeneficiary(Provenance, Base):
    """A household a project benefits, with its share when the project has one (亩, plants)."""

    __tablename__ = "project_beneficiary"
    __table_args__ = (UniqueConstraint("project_id", "household_id"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    since: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    area_mu: Mapped[Decimal | None] = mapped_column(Fixed2(), nullable=True)  # 面积（亩）
    quantity: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 数量（株、只、头…）
    note: Mapped[text_opt]

    project: Mapped[Project] = relationship(back_populates="beneficiaries")
    household: Mapped[Household] = relationship()


class ProjectDividend(Provenance, Base):
    """A year's dividend (资产收益分红) paid to a household: carried by a benefit, maybe counted as property income."""

    __tablename__ = "project_dividend"
    __table_args__ = (UniqueConstraint("project_id", "household_id", "year"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    paid_on: Mapped[dt.date] = mapped_column(Date, index=True)
    amount: Mapped[money]
    benefit_id: Mapped[int] = mapped_column(ForeignKey("benefit.id"), unique=True)
    income_id: Mapped[int | None] = mapped_column(ForeignKey("income.id"), nullable=True)

    project: Mapped[Project] = relationship(back_populates="dividends")
    household: Mapped[Household] = relationship()
    benefit: Mapped[Benefit] = relationship()
    income: Mapped[Income | None] = relationship()


class ProjectAsset(Provenance, Base):
    """An asset a project created (帮扶项目资产): value, owner, custodian; its status is AssetStatus history."""

    __tablename__ = "project_asset"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    value: Mapped[money]  # 资产价值（元）
    owner: Mapped[str] = mapped_column(String(24))  # rules.projects.ASSET_OWNER
    custodian: Mapped[str | None] = mapped_column(String(100), nullable=True)  # 管护主体
    note: Mapped[text_opt]

    project: Mapped[Project] = relationship(back_populates="assets")
    statuses: Mapped[list[AssetStatus]] = relationship(
        back_populates="asset", order_by="AssetStatus.status_on, AssetStatus.id")

    def status_on(self, day: dt.date) -> AssetStatus | None:
        """The status in force on a day: the latest event on or before it."""
        current = None
        for event in self.statuses:
            if event.status_on <= day:
                current = event
        return current


class AssetStatus(Provenance, Base):
    """An asset's status from a date (在用 / 闲置 / 损毁 / 处置), with the reason; never overwritten."""

    __tablename__ = "asset_status"

    id: Mapped[intpk]
    asset_id: Mapped[int] = mapped_column(ForeignKey("project_asset.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # rules.projects.ASSET_STATUS
    status_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[text_opt]

    asset: Mapped[ProjectAsset] = relationship(back_populates="statuses")
