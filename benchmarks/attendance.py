"""Time the attendance import and the yearly attendance report (issue 14) for a county of 2,434 team members.

    python benchmarks/attendance.py --db sqlite:////tmp/bench/att.db --db postgresql://…/povmon_bench_att

For each database (emptied and migrated first): 10 townships, 250 villages, 2,434 cadres in 487 teams, and their
marks for January–November 2019 stored directly (not timed); then, each in a fresh process (the real commands):

  import    povmon team attendance import  <10 township workbooks of December 2019, 2,434 rows × 31 days>
  reimport  the same files again (every mark unchanged)
  year      povmon report attendance --year 2019 --json   (2,434 people × 250 working days)
  workbook  povmon report attendance --year 2019 -o X.xlsx --force

Prints one Markdown table row per database (median of --runs; wall and the command's CPU time), ready for
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import insert, text

from povmon.config import normalize_url
from povmon.db import make_engine, upgrade
from povmon.models import Area, Attendance, Base, Cadre, TeamMember, WorkTeam
from povmon.rules import calendar, idcard

# ID numbers and phones are encrypted at rest (povmon.crypto): the benchmark's databases use a fixed key of
# their own, passed on to the processes it starts, unless one is configured
os.environ.setdefault("POVMON_KEY", "YmVuY2htYXJrcy1vd24ta2V5LW5vdC1hLWNvdW50eXM")


POVMON = str(Path(sys.executable).with_name("povmon"))
PEOPLE = 2_434
TOWNSHIPS = 10
VILLAGES = 25
YEAR = 2019
MARKS = ("in_village",) * 17 + ("official", "leave", "absent")
SYMBOL = {"in_village": "√", "official": "公", "leave": "假", "absent": "×"}


def timed(args: list[str]) -> tuple[float, float]:
    """Wall time and the command's own CPU time (user + system; on a shared machine the CPU time is what the
    wall time would be when idle, PostgreSQL's server work apart)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _median(values: list[tuple[float, float]]) -> str:
    return f"{statistics.median(v[0] for v in values):.2f} / {statistics.median(v[1] for v in values):.2f}"


def reset(url: str) -> None:
    engine = make_engine(url, create=True)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        Base.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
    engine.dispose()


def populate(url: str, rng: random.Random) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The county, teams and 11 months of marks; returns per township its (name, ID, team) rows."""
    engine = make_engine(url)
    townships = []
    with engine.begin() as conn:
        conn.execute(insert(Area), [{"id": 1, "level": "county", "name": "交城县", "code": "141122"}])
        areas, area_id = [], 2
        for t in range(TOWNSHIPS):
            areas.append({"id": area_id, "level": "township", "name": f"第{t + 1}乡", "parent_id": 1})
            town_id = area_id
            area_id += 1
            for v in range(VILLAGES):
                areas.append({"id": area_id, "level": "village", "name": f"第{t + 1}乡{v + 1}村", "parent_id": town_id})
                area_id += 1
        conn.execute(insert(Area), areas)
        villages = [a for a in areas if a["level"] == "village"]
        cadres, teams, members = [], [], []
        for i in range(PEOPLE):
            number = idcard.make("142323", dt.date(1970 + i % 25, 1 + i % 12, 1 + i % 28), (i // 300) * 2 + 1)
            cadres.append({"id": i + 1, "name": f"干部{i + 1}", "id_number": number, "unit": "交城县某局",
                           "role": "team_member"})
        for k in range((PEOPLE + 4) // 5):
            village = villages[k % len(villages)]
            name = f"{village['name']}工作队{k // len(villages) + 1}"
            teams.append({"id": k + 1, "village_id": village["id"], "name": name, "start_on": dt.date(2018, 3, 1)})
        for i in range(PEOPLE):
            members.append({"team_id": i // 5 + 1, "cadre_id": i + 1, "role": "leader" if i % 5 == 0 else "member",
                            "start_on": dt.date(2018, 3, 1)})
        conn.execute(insert(Cadre), cadres)
        conn.execute(insert(WorkTeam), teams)
        conn.execute(insert(TeamMember), members)
        days = calendar.workdays(dt.date(YEAR, 1, 1), dt.date(YEAR, 11, 30))
        rows = []
        for cid in range(1, PEOPLE + 1):
            rows.extend({"cadre_id": cid, "day": d, "mark": rng.choice(MARKS)} for d in days)
            if len(rows) > 50_000:
                conn.execute(insert(Attendance), rows)
                rows = []
        if rows:
            conn.execute(insert(Attendance), rows)
        for t in range(TOWNSHIPS):
            mine = {a["id"] for a in villages[t * VILLAGES:(t + 1) * VILLAGES]}
            people = [(c["name"], c["id_number"], teams[(c["id"] - 1) // 5]["name"]) for c in cadres
                      if teams[(c["id"] - 1) // 5]["village_id"] in mine]
            townships.append((f"第{t + 1}乡", people))
    engine.dispose()
    return townships


def write_sheets(folder: Path, townships, rng: random.Random) -> list[Path]:
    work = {d.day for d in calendar.workdays(dt.date(YEAR, 12, 1), dt.date(YEAR, 12, 31))}
    paths = []
    for town, people in townships:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("12月")
        ws.append([f"{town}驻村工作队{YEAR}年12月考勤表"])
        ws.append([f"填报单位：{town}人民政府（盖章）"])
        ws.append(["序号", "姓名", "身份证号", "工作队", *range(1, 32)])
        for n, (name, number, team) in enumerate(people, start=1):
            ws.append([n, name, number, team, *[SYMBOL[rng.choice(MARKS)] if d in work else "" for d in range(1, 32)]])
        ws.append(["说明：√在村 公公务外出 假请假 ×缺勤"])
        ws.append(["制表人：", "", "审核人："])
        path = folder / f"{town}-{YEAR}年12月考勤.xlsx"
        wb.save(path)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| database | people | import (s, wall / CPU) | re-import | year JSON | year workbook |")
    print("| --- | --- | --- | --- | --- | --- |")
    for raw in args.db:
        url = normalize_url(raw)
        rng = random.Random(14)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            imports, reimports, years, books = [], [], [], []
            for _ in range(args.runs):
                reset(url)
                townships = populate(url, rng)
                paths = write_sheets(folder, townships, rng)
                command = [POVMON, "--db", url, "--user", "bench", "team", "attendance", "import", *map(str, paths)]
                imports.append(timed(command))
                reimports.append(timed(command))
                years.append(timed([POVMON, "--db", url, "report", "attendance", "--year", str(YEAR), "--json"]))
                books.append(timed([POVMON, "--db", url, "report", "attendance", "--year", str(YEAR), "-o",
                                    str(folder / "year.xlsx"), "--force"]))
            name = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
            print(f"| {name} | {PEOPLE:,} | {_median(imports)} | {_median(reimports)} | {_median(years)} | "
                  f"{_median(books)} |", flush=True)


if __name__ == "__main__":
    main()
