"""Data entry on a county-sized register: how long a clerk waits.

Builds a register of N households (3 members each; a third identified, half of those exited) in bulk,
then times, as medians of several runs:
- ``household_entry.search`` over the whole county by status, by village, by member name and by ID number;
- one ``member add`` and one ``event exit`` through the service (one transaction each, rolled back);
- the same ``member add`` as a clerk runs it: ``povmon member add …`` in a fresh process (start-up included).

    python benchmarks/entry.py [--households 20000] [--db URL] [--runs 5]

The default database is a SQLite file in a temporary folder; pass --db to use PostgreSQL (its tables are
dropped and recreated: name a scratch database).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from povmon.config import normalize_url
from povmon.db import make_engine, upgrade
from povmon.models import Area, Base, Household, HouseholdEvent, Income, Member
from povmon.rules import idcard
from povmon.services import events, household_entry, members

TOWNSHIPS, VILLAGES = 10, 10  # 100 villages


# ID numbers and phones are encrypted at rest (povmon.crypto): the benchmark's databases use a fixed key of
# their own, passed on to the processes it starts, unless one is configured
os.environ.setdefault("POVMON_KEY", "YmVuY2htYXJrcy1vd24ta2V5LW5vdC1hLWNvdW50eXM")


def build(url: str, households: int) -> None:
    """A fresh register with the given number of households, inserted in bulk."""
    engine = make_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
    with Session(engine) as session, session.begin():
        county = Area(level="county", name="交城县", code="141122")
        session.add(county)
        villages = []
        for t in range(TOWNSHIPS):
            town = Area(level="township", name=f"镇{t}", code=f"141122{100 + t}", parent=county)
            session.add(town)
            for v in range(VILLAGES):
                village = Area(level="village", name=f"村{t}-{v}", code=f"141122{100 + t}{v + 1:03d}", parent=town)
                session.add(village)
                villages.append(village)
        session.flush()
        hh_rows, member_rows, event_rows, income_rows = [], [], [], []
        for i in range(households):
            hh_rows.append({"id": i + 1, "code": f"H{i + 1:06d}", "village_id": villages[i % len(villages)].id,
                            "attribute": "general_poor" if i % 3 == 0 else "ordinary", "housing_safety": "B",
                            "safe_water": True, "food_clothing_secure": True, "created_at": dt.datetime(2019, 1, 1)})
            for j, (relation, born) in enumerate((("head", 1960), ("spouse", 1962), ("son", 1990))):
                number = idcard.make("142323", dt.date(born, 1 + i % 12, 1 + i % 28), (i * 3 + j) % 1000)
                member_rows.append({"household_id": i + 1, "name": f"人{i}-{j}", "relation": relation,
                                    "id_number": number,
                                    "medical_insurance": True, "labour": "ordinary",
                                    "created_at": dt.datetime(2019, 1, 1)})
            if i % 3 == 0:
                event_rows.append({"household_id": i + 1, "kind": "identified", "event_date": dt.date(2016, 12, 31),
                                   "year_only": True, "created_at": dt.datetime(2019, 1, 1)})
                if i % 6 == 0:
                    event_rows.append({"household_id": i + 1, "kind": "exited", "event_date": dt.date(2018, 12, 31),
                                       "year_only": True, "created_at": dt.datetime(2019, 1, 1)})
                income_rows.append({"household_id": i + 1, "year": 2018, "month": 0, "wage": Decimal("15000"),
                                    "business": 0, "business_expense": 0, "property": 0, "transfer": 0,
                                    "compliant_spending": 0, "created_at": dt.datetime(2019, 1, 1)})
        _dedupe_ids(member_rows)
        for model, rows in ((Household, hh_rows), (Member, member_rows), (HouseholdEvent, event_rows),
                            (Income, income_rows)):
            for start in range(0, len(rows), 5000):
                session.execute(insert(model), rows[start:start + 5000])
    engine.dispose()


def _dedupe_ids(rows: list[dict]) -> None:
    """Generated IDs can collide (same date and sequence); give each person a unique, valid number."""
    seen: set[str] = set()
    for n, row in enumerate(rows):
        number = row["id_number"]
        bump = 0
        while number in seen:
            bump += 1
            number = idcard.make("142323", dt.date(1940, 1, 1) + dt.timedelta(days=(n * 7 + bump) % 20000),
                                 (n + bump) % 1000)
        seen.add(number)
        row["id_number"] = number


def timed(fn, runs: int) -> float:
    """Median seconds of several runs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--db", default=None)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    # The SQLite register (about 16 MB) goes with its temporary folder when the run ends.
    with tempfile.TemporaryDirectory(prefix="povmon-entry-bench-") as folder:
        url = normalize_url(args.db) if args.db else f"sqlite:///{Path(folder) / 'bench.db'}"
        measure(url, args.households, args.runs)


def measure(url: str, households: int, runs: int) -> None:
    """Build the register at url, then time the searches, the services and the command; print the medians."""
    start = time.perf_counter()
    build(url, households)
    print(f"built {households} households in {time.perf_counter() - start:.1f} s on {url.split('://')[0]}")

    engine = make_engine(url)
    day = dt.date(2019, 1, 31)

    def search(**kw):
        with Session(engine) as session:
            return household_entry.search(session, as_of=day, **kw)

    with Session(engine) as session:
        some = session.scalars(select(Member).where(Member.household_id == 4)).first()
        number = some.id_number
    results = {
        "household list --status 未脱贫 (whole county)": timed(lambda: search(status="未脱贫"), runs),
        "household list --village 镇3/村3-3": timed(lambda: search(area="镇3/村3-3"), runs),
        "household list --name 人123-": timed(lambda: search(name="人123-"), runs),
        "household list --id NUMBER": timed(lambda: search(id_number=number), runs),
    }

    def add_member():
        with Session(engine) as session:
            household = session.scalar(select(Household).where(Household.code == "H000002"))
            members.add(session, household, name="新生儿", id_number=idcard.make("141122", dt.date(2019, 1, 5), 1),
                        relation="之孙子", reason="出生", user="bench")
            session.rollback()

    def exit_one():
        with Session(engine) as session:
            household = session.scalar(select(Household).where(Household.code == "H000004"))
            events.exit_household(session, household, date="2019-12-31", force=True, reason="bench", user="bench")
            session.rollback()

    results["member add (service, one transaction)"] = timed(add_member, runs)
    results["event exit (service, one transaction)"] = timed(exit_one, runs)

    povmon = str(Path(sys.executable).with_name("povmon"))
    baby = idcard.make("141122", dt.date(2019, 1, 6), 3)

    def cli_add():
        subprocess.run([povmon, "member", "add", "H000008", "--name", "新生儿", "--id-number", baby,
                        "--relation", "之孙子", "--how", "出生", "--db", url, "--user", "bench"],
                       check=True, capture_output=True)
        with engine.begin() as conn:  # undo, so the next run adds the same member again
            conn.execute(text("DELETE FROM member WHERE id_number = :n"), {"n": baby})

    results["povmon member add (new process)"] = timed(cli_add, runs)
    engine.dispose()
    for name, seconds in results.items():
        print(f"{name:50s} {seconds * 1000:8.0f} ms")


if __name__ == "__main__":
    main()
