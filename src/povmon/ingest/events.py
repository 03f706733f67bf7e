"""The status a roster states (脱贫状态 + 识别年度 + 脱贫年度) turned into status events — only what the register lacks.

A roster describes each household on a day (``--as-of``): 未脱贫 identified in 2015, 已脱贫 identified in 2014
and exited in 2016, 返贫 (exited, then back in poverty, the return undated). The register's latest status is
compared with the file's; when they agree nothing is recorded, whatever the years say (history is corrected by
explicit events, never silently rewritten). When they differ, the missing steps are added after the register's
latest event: dated by the file's year (31 December, ``year_only``) when it comes after that event, else by
the as-of day. A blank status (or 一般农户) records nothing. Importing the same file twice records nothing the
second time, because after the first import the register's status is the file's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from povmon.rules.status import EventLike, status_on

_FAR = dt.date(9999, 12, 31)

# the steps from a register status to a file status (poor ≈ returned: both mean poor now)
_STEPS = {
    ("non_poor", "poor"): ("identified",),
    ("non_poor", "exited"): ("identified", "exited"),
    ("non_poor", "returned"): ("identified", "exited", "returned"),
    ("poor", "exited"): ("exited",),
    ("poor", "returned"): ("exited", "returned"),
    ("exited", "poor"): ("returned",),
    ("exited", "returned"): ("returned",),
    ("returned", "exited"): ("exited",),
}
_ORDER = {"identified": 0, "exited": 1, "returned": 2}
CHAIN = {"poor": ("identified",), "exited": ("identified", "exited"), "returned": ("identified", "exited", "returned")}


@dataclass(frozen=True)
class Implied:
    kind: str
    event_date: dt.date
    year_only: bool


def implied_events(
    status: str | None,
    identified: tuple[dt.date, bool] | None,
    exited: tuple[dt.date, bool] | None,
    existing: Iterable[EventLike],
    as_of: dt.date,
) -> tuple[list[Implied], int]:
    """The events to add for a household, and how many status steps the file states (for the counts)."""
    if status not in CHAIN:
        return [], 0
    events = list(existing)
    stated = len(CHAIN[status])
    current = status_on(events, _FAR).status if events else "non_poor"
    steps = _STEPS.get((current, status), ())
    if not steps:
        return [], stated
    # each new event must take effect after the register's latest one (same day: later in the procedure)
    floor = max(((e.event_date, _ORDER.get(e.kind, 9)) for e in events if e.kind in _ORDER),
                default=(dt.date.min, -1))
    given = {"identified": identified, "exited": exited, "returned": None}
    out: list[Implied] = []
    for i, kind in enumerate(steps):
        date_given = given[kind]
        if date_given is None:
            # an undated step takes the next dated step's date (identified before an exit year), else the as-of day
            later = next((given[k] for k in steps[i + 1:] if given[k] is not None), None)
            day, year_only = (later if later is not None else (as_of, False))
        else:
            day, year_only = date_given
        if (day, _ORDER[kind]) <= floor:
            day, year_only = max(as_of, floor[0]), False
            if (day, _ORDER[kind]) <= floor:
                day = floor[0] + dt.timedelta(days=1)
        out.append(Implied(kind, day, year_only))
        floor = (day, _ORDER[kind])
    return out, stated
