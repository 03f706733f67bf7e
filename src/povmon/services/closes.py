"""Month closes (月报结账): storing what an auditor signs — the month's figures, their sha256, who and when.

``close_month`` takes a monthly report (reports.monthly.build: the figures as ``report monthly --json`` prints
them) and stores it as a ``MonthClose`` with the sha256 of its canonical JSON (sorted keys, no spaces, UTF-8),
the user and the time, audited. A close covers a scope: the whole register, or one area and everything under it,
written as the area's statistical code, or its name path (交城县/西营镇/东营村) when it has no code
(docs/CONTRACTS.md, "month closes"). Checking a later run against a close is a report (reports.close).
Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from povmon import __version__
from povmon.errors import PovmonError
from povmon.models import Area, MonthClose
from povmon.models.base import utcnow
from povmon.services import audit
from povmon.services.lookup import path_of

if TYPE_CHECKING:
    from povmon.reports.monthly import MonthlyReport


def digest(figures: dict) -> str:
    """sha256 of the figures as canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(figures, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def area_label(area: Area | None) -> str | None:
    """How a scope is written in a month close: the code when the area has one, else its name path."""
    if area is None:
        return None
    return area.code or path_of(area)


def when(at: dt.datetime) -> str:
    """A stored UTC time as the local wall-clock time, with its offset (2019-02-03 10:00 +08:00)."""
    local = at.replace(tzinfo=dt.UTC).astimezone()
    offset = local.strftime("%z")
    return local.strftime("%Y-%m-%d %H:%M") + f" {offset[:3]}:{offset[3:]}"


def latest(session: Session, month: str, label: str | None) -> MonthClose | None:
    """The latest close of a month for one scope (None: the whole register)."""
    return session.scalars(
        select(MonthClose).where(MonthClose.month == month,
                                 MonthClose.area.is_(None) if label is None else MonthClose.area == label)
        .order_by(MonthClose.closed_at.desc(), MonthClose.id.desc())
    ).first()


def close_month(session: Session, report: MonthlyReport, *, user: str, note: str | None = None,
                again: bool = False, today: dt.date | None = None) -> MonthClose:
    """Store a month's figures for the report's scope with their hash, the user and the time (audited).

    A month is closed after its last day; closing the same month and scope again needs ``again`` (the earlier
    close stays, the latest one counts).
    """
    today = today or dt.date.today()
    if report.as_of >= today:
        raise PovmonError(
            f"{report.month.label} 还没有结束（月末 {report.as_of.isoformat()}）；请在月末之后再结账。"
        )
    label = area_label(report.scope)
    earlier = latest(session, report.month.label, label)
    if earlier is not None and not again:
        where = path_of(report.scope) if report.scope is not None else "全部区划"
        raise PovmonError(
            f"{report.month.label}（{where}）已于 {when(earlier.closed_at)} 由 {earlier.user} 结账；"
            "如确需按现在的数据重新结账，请加 --again（原结账记录保留）。"
        )
    figures = report.as_json()
    note_text = f"povmon {__version__}" + (f"；{note}" if note else "")
    close = MonthClose(month=report.month.label, area=label, as_of=report.as_of, figures=figures,
                       sha256=digest(figures), user=user, closed_at=utcnow(), note=note_text)
    session.add(close)
    audit.inserted(session, close, user=user, note=f"report close {report.month.label} sha256 {close.sha256}")
    return close
