import datetime as dt
from dataclasses import dataclass

from povmon.rules.status import allowed_next, status_on


@dataclass
class Ev:
    id: int
    kind: str
    event_date: dt.date
    monitoring_type: str | None = None
    cancels_event_id: int | None = None


def d(y, m=12, day=31):
    return dt.date(y, m, day)


HISTORY = [
    Ev(1, "identified", d(2015)),
    Ev(2, "exited", d(2017)),
    Ev(3, "returned", d(2018, 6, 1)),
    Ev(4, "exited", d(2019)),
    Ev(5, "monitoring_added", d(2020, 3, 1), "unstable"),
    Ev(6, "risk_eliminated", d(2021, 5, 1)),
    Ev(7, "elimination_revoked", d(2021, 9, 1)),
]


def test_status_is_the_latest_event_on_or_before_the_day():
    assert status_on(HISTORY, d(2014)).status == "non_poor"
    assert status_on(HISTORY, d(2015, 12, 30)).status == "non_poor"
    assert status_on(HISTORY, d(2015)).status == "poor"  # an event counts on its own day
    assert status_on(HISTORY, d(2016)).status == "poor"
    assert status_on(HISTORY, d(2017)).status == "exited"
    assert status_on(HISTORY, d(2018, 5, 31)).status == "exited"
    assert status_on(HISTORY, d(2018, 6, 1)).status == "returned"
    assert status_on(HISTORY, d(2025)).status == "exited"


def test_monitoring_history():
    assert status_on(HISTORY, d(2019)).monitoring is None
    m = status_on(HISTORY, d(2020, 3, 1)).monitoring
    assert m.type == "unstable" and not m.risk_eliminated
    assert status_on(HISTORY, d(2021, 6, 1)).monitoring.risk_eliminated
    assert not status_on(HISTORY, d(2021, 9, 1)).monitoring.risk_eliminated  # rolled back
    assert status_on(HISTORY, d(2021, 6, 1)).monitored is False
    assert status_on(HISTORY, d(2022)).monitored is True


def test_later_dated_events_do_not_change_the_past():
    before = status_on(HISTORY, d(2018, 1, 31))
    later = [*HISTORY, Ev(8, "returned", d(2026, 1, 1))]
    assert status_on(later, d(2018, 1, 31)) == before


def test_same_day_events_follow_the_procedure_not_the_recording_order():
    # a roster saying "identified 2016, exited 2016" gives both events 31 Dec 2016
    events = [Ev(2, "exited", d(2016)), Ev(1, "identified", d(2016))]
    assert status_on(events, d(2016)).status == "exited"
    events = [Ev(1, "exited", d(2016)), Ev(2, "identified", d(2016))]
    assert status_on(events, d(2016)).status == "exited"


def test_a_correction_voids_an_event_from_its_own_date():
    events = [Ev(1, "identified", d(2015)), Ev(2, "exited", d(2016)), Ev(3, "cancelled", d(2017, 3, 1), None, 2)]
    assert status_on(events, d(2016)).status == "exited"  # as the record stood then
    assert status_on(events, d(2017, 3, 1)).status == "poor"


def test_registered_and_poor_now():
    s = status_on(HISTORY, d(2018, 7, 1))
    assert s.registered and s.status == "returned"
    assert not status_on(HISTORY, d(2014)).registered


def test_allowed_transitions():
    assert allowed_next("non_poor", "identified")
    assert not allowed_next("poor", "identified")
    assert allowed_next("returned", "exited")
    assert not allowed_next("poor", "returned")
