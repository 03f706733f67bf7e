"""A small register built by hand whose monthly figures for 2019-01 are known (see EXPECTED).

交城县 141122
├── 西营镇 141122100
│   ├── 东营村 141122100201   H1 poor, H2 exited, H3 returned in the month, H4 near-poor monitored
│   └── 西营村 141122100202   H5 identified in the month, H6 exited + risk eliminated, H7 dissolved
└── 会立乡 141122200
    └── 岔口村 141122200201   H8 ordinary, H9 poor with no income and a pairing ending on as_of

Poverty line for 2018 (the income year of 2019-01): 2995.00 yuan (shipped national line).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from povmon.models import Area, TeamMember, WorkTeam
from povmon.reports.extras import monthly_json, monthly_zero

from . import factories as f

D = dt.date
MONTH = "2019-01"
AS_OF = D(2019, 1, 31)


def area(session: Session, level: str, name: str, code: str, parent: Area | None) -> Area:
    a = Area(level=level, name=name, code=code, parent=parent)
    session.add(a)
    session.flush()
    return a


def people(n: int, **head) -> list[dict]:
    out = [{"name": "户主", "relation": "head", **head}]
    out += [{"name": f"成员{i}", "relation": "son"} for i in range(1, n)]
    return out


def build(session: Session) -> dict:
    """Build the register; returns its objects by name for tests that change it later."""
    county = area(session, "county", "交城县", "141122", None)
    xiying = area(session, "township", "西营镇", "141122100", county)
    huili = area(session, "township", "会立乡", "141122200", county)
    dongying = area(session, "village", "东营村", "141122100201", xiying)
    xiyingcun = area(session, "village", "西营村", "141122100202", xiying)
    chakou = area(session, "village", "岔口村", "141122200201", huili)
    c1, c2, c3, c4 = (f.cadre(session, name) for name in ("李一", "王二", "张三", "赵四"))

    # 东营村
    h1 = f.household(session, "H1", village=dongying, members=people(3))
    f.event(session, h1, "identified", D(2016, 12, 31))
    f.income(session, h1, 2018, wage="6000")  # 2000.00 per capita: below 2995
    f.pairing(session, c1, h1, D(2016, 3, 1))
    f.visit(session, c1, h1, D(2019, 1, 10))
    f.benefit(session, h1, "雨露计划", D(2019, 1, 15), "500.00", category="education")

    h2 = f.household(session, "H2", village=dongying, members=people(2))
    f.event(session, h2, "identified", D(2015, 12, 31))
    f.event(session, h2, "exited", D(2017, 12, 31))
    f.income(session, h2, 2018, wage="10000")
    f.pairing(session, c1, h2, D(2016, 3, 1))

    h3 = f.household(session, "H3", village=dongying, members=[
        *people(3), {"name": "故去", "relation": "father", "left_on": D(2018, 10, 1), "left_reason": "deceased"},
    ])
    f.event(session, h3, "identified", D(2016, 12, 31))
    f.event(session, h3, "exited", D(2017, 12, 31))
    returned = f.event(session, h3, "returned", D(2019, 1, 20))
    f.pairing(session, c2, h3, D(2016, 3, 1), D(2018, 12, 31))  # ended: unpaired on as_of

    h4 = f.household(session, "H4", village=dongying, members=people(2), attribute="ordinary")
    f.event(session, h4, "monitoring_added", D(2019, 1, 5), monitoring_type="near_poor")
    f.income(session, h4, 2018, 0, wage="3000")
    f.income(session, h4, 2018, 6, transfer="2980")  # 5980 / 2 = 2990.00: below 2995
    f.pairing(session, c2, h4, D(2019, 1, 5))

    # 西营村
    h5 = f.household(session, "H5", village=xiyingcun, members=[
        *people(4), {"name": "新生", "relation": "son", "joined_on": D(2019, 2, 10)},
    ])
    f.event(session, h5, "identified", D(2019, 1, 8))
    wrong_exit = f.event(session, h5, "exited", D(2019, 1, 25))
    f.event(session, h5, "cancelled", D(2019, 1, 28), cancels_event_id=wrong_exit.id)
    f.income(session, h5, 2018, wage="11980")  # exactly 2995.00: not below
    f.pairing(session, c1, h5, D(2019, 1, 8))
    f.visit(session, c1, h5, D(2019, 1, 9))
    f.visit(session, c1, h5, D(2019, 1, 30))
    f.benefit(session, h5, "低保", D(2019, 1, 20), "1000.50", category="social")
    f.benefit(session, h5, "低保", D(2019, 2, 1), "300.00", category="social")

    h6 = f.household(session, "H6", village=xiyingcun, members=people(1))
    f.event(session, h6, "identified", D(2015, 12, 31))
    f.event(session, h6, "exited", D(2018, 12, 31))
    f.event(session, h6, "monitoring_added", D(2019, 1, 1), monitoring_type="unstable")
    f.event(session, h6, "risk_eliminated", D(2019, 1, 31))
    f.income(session, h6, 2018, wage="3000")

    h7 = f.household(session, "H7", village=xiyingcun, members=[
        {"name": "迁走", "relation": "head", "left_on": D(2018, 5, 1), "left_reason": "moved_out"},
    ])
    f.event(session, h7, "identified", D(2016, 12, 31))
    f.pairing(session, c3, h7, D(2016, 3, 1))  # still active: 张三 counts among 西营村's cadres

    # 岔口村
    h8 = f.household(session, "H8", village=chakou, members=people(3), attribute="ordinary")
    f.event(session, h8, "identified", D(2019, 2, 5))  # after the month

    h9 = f.household(session, "H9", village=chakou, members=people(3), housing_safety="C")
    f.event(session, h9, "identified", D(2016, 12, 31))
    f.income(session, h9, 2018, wage="0")
    f.pairing(session, c4, h9, D(2017, 1, 1), D(2019, 1, 31))  # ends on as_of: not active that day
    f.visit(session, c4, h9, D(2019, 1, 31))

    # 驻村帮扶: 东营村 has a team with a first secretary in post; 西营村 two teams, one whose term ended before
    # as_of, and a first secretary whose stint ends on as_of (not in post that day)
    team1 = WorkTeam(village=dongying, name="东营村驻村工作队", start_on=D(2018, 3, 1))
    team2 = WorkTeam(village=xiyingcun, name="西营村驻村工作队", start_on=D(2018, 3, 1))
    team3 = WorkTeam(village=xiyingcun, name="西营村第二工作队", start_on=D(2016, 3, 1), end_on=D(2018, 3, 1))
    s1, s2 = f.cadre(session, name="王书记"), f.cadre(session, name="赵书记")
    session.add_all([team1, team2, team3,
                     TeamMember(team=team1, cadre=s1, role="first_secretary", start_on=D(2018, 3, 1)),
                     TeamMember(team=team1, cadre=c1, role="member", start_on=D(2018, 3, 1)),
                     TeamMember(team=team2, cadre=s2, role="first_secretary", start_on=D(2018, 3, 1),
                                end_on=D(2019, 1, 31))])
    session.flush()
    return {
        "areas": {a.name: a for a in (county, xiying, huili, dongying, xiyingcun, chakou)},
        "cadres": {c.name: c for c in (c1, c2, c3, c4)},
        "households": {h.code: h for h in (h1, h2, h3, h4, h5, h6, h7, h8, h9)},
        "returned": returned,
    }


def _entry(level, code, name, parent, *values) -> dict:
    keys = (
        "households", "people", "registered_households", "registered_people", "poor_households", "poor_people",
        "exited_households", "exited_people", "monitored_households", "monitored_people", "incidence_pct",
        "below_line_households", "paired_households", "unpaired_households", "cadres", "visited_households",
        "benefits_yuan", "identified", "exited", "returned", "monitoring_added", "risk_eliminated",
        "work_teams", "first_secretaries",
    )
    assert len(values) == len(keys)
    return {"level": level, "code": code, "name": name, "parent": parent, **dict(zip(keys, values, strict=True)),
            **monthly_json(monthly_zero()),  # no projects, jobs, training or party members in this register
            "leads_new": 0, "leads_open": 0, "leads_decided": 0, "leads_overdue": 0}  # nor monitoring leads


# values in order: hh ppl, registered, poor, exited, monitored (hh ppl each), incidence, below paired unpaired,
# cadres visited benefits, identified exited returned monitoring_added risk_eliminated, work_teams first_secretaries
EXPECTED = {
    "month": MONTH,
    "as_of": "2019-01-31",
    "areas": [
        _entry("county", "141122", "交城县", None,
               8, 21, 6, 16, 4, 13, 2, 3, 1, 2, "61.90", 3, 4, 3, 3, 3, "1500.50", 1, 0, 1, 2, 1, 2, 1),
        _entry("township", "141122100", "西营镇", "交城县",
               6, 15, 5, 13, 3, 10, 2, 3, 1, 2, "66.67", 2, 4, 2, 3, 2, "1500.50", 1, 0, 1, 2, 1, 2, 1),
        _entry("village", "141122100201", "东营村", "西营镇",
               4, 10, 3, 8, 2, 6, 1, 2, 1, 2, "60.00", 2, 3, 1, 2, 1, "500.00", 0, 0, 1, 1, 0, 1, 1),
        _entry("village", "141122100202", "西营村", "西营镇",
               2, 5, 2, 5, 1, 4, 1, 1, 0, 0, "80.00", 0, 1, 1, 2, 1, "1000.50", 1, 0, 0, 1, 1, 1, 0),
        _entry("township", "141122200", "会立乡", "交城县",
               2, 6, 1, 3, 1, 3, 0, 0, 0, 0, "50.00", 1, 0, 1, 0, 1, "0.00", 0, 0, 0, 0, 0, 0, 0),
        _entry("village", "141122200201", "岔口村", "会立乡",
               2, 6, 1, 3, 1, 3, 0, 0, 0, 0, "50.00", 1, 0, 1, 0, 1, "0.00", 0, 0, 0, 0, 0, 0, 0),
    ],
}
