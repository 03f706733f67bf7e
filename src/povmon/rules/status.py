"""Status as of a date, from the event history (识别账).

The status on a day is given by the latest event on or before that day: a report for a past month
comes out the same however many later-dated events are recorded afterwards. Events on the same day
are ordered by the natural order of the procedure (identified before exited before returned), then by
the order they were recorded. A ``cancelled`` event voids the event it names from its own date on.

Poverty status: no event → non_poor (一般农户, never registered); identified → poor; exited → exited;
returned → returned. Monitoring: monitoring_added → in monitoring with its type; risk_eliminated →
still listed, risk eliminated; elimination_revoked → risk back (a marking can be rolled back).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

STATUS_KINDS = ("identified", "exited", "returned")
MONITORING_KINDS = ("monitoring_added", "risk_eliminated", "elimination_revoked")
_KIND_ORDER = {
    "identified": 0, "exited": 1, "returned": 2, "monitoring_added": 3, "risk_eliminated": 4,
    "elimination_revoked": 5, "cancelled": 6,
}
STATUS_OF_KIND = {"identified": "poor", "exited": "exited", "returned": "returned"}
STATUS_LABELS = {"poor": "未脱贫", "exited": "已脱贫", "returned": "返贫", "non_poor": "一般农户"}
REGISTERED = frozenset({"poor", "exited", "returned"})  # ever identified as poor (建档立卡)
POOR_NOW = frozenset({"poor", "returned"})


class EventLike(Protocol):
    id: int | None
    kind: str
    event_date: dt.date
    monitoring_type: str | None
    cancels_event_id: int | None


@dataclass(frozen=True)
class Monitoring:
    type: str | None
    risk_eliminated: bool
    since: dt.date

    def as_json(self) -> dict:
        return {"type": self.type, "risk_eliminated": self.risk_eliminated}


@dataclass(frozen=True)
class StatusOn:
    """A household's status and monitoring on a day."""

    status: str  # poor / exited / returned / non_poor
    status_since: dt.date | None
    monitoring: Monitoring | None

    @property
    def registered(self) -> bool:
        return self.status in REGISTERED

    @property
    def monitored(self) -> bool:
        """In monitoring with the risk not eliminated (what the monthly summary counts)."""
        return self.monitoring is not None and not self.monitoring.risk_eliminated


def sort_key(event: EventLike) -> tuple:
    """The order in which events take effect."""
    return (event.event_date, _KIND_ORDER.get(event.kind, 9), event.id or 0)


def effective(events: Iterable[EventLike], day: dt.date) -> list[EventLike]:
    """The events dated on or before the day, minus those cancelled on or before it, in effect order."""
    upto = [e for e in events if e.event_date <= day]
    cancelled = {e.cancels_event_id for e in upto if e.kind == "cancelled" and e.cancels_event_id}
    return sorted((e for e in upto if e.kind != "cancelled" and e.id not in cancelled), key=sort_key)


def status_on(events: Iterable[EventLike], day: dt.date) -> StatusOn:
    """The status and monitoring of a household on a day, from its events."""
    status, since = "non_poor", None
    monitoring: Monitoring | None = None
    for event in effective(events, day):
        if event.kind in STATUS_OF_KIND:
            status, since = STATUS_OF_KIND[event.kind], event.event_date
        elif event.kind == "monitoring_added":
            monitoring = Monitoring(event.monitoring_type, False, event.event_date)
        elif event.kind == "risk_eliminated" and monitoring is not None:
            monitoring = Monitoring(monitoring.type, True, event.event_date)
        elif event.kind == "elimination_revoked" and monitoring is not None:
            monitoring = Monitoring(monitoring.type, False, event.event_date)
    return StatusOn(status, since, monitoring)


def allowed_next(status: str, kind: str) -> bool:
    """Whether a status event makes sense after the current status (identify the poor twice? no)."""
    if kind == "identified":
        return status == "non_poor"
    if kind == "exited":
        return status in POOR_NOW
    if kind == "returned":
        return status == "exited"
    return True
