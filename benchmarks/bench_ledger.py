"""Benchmark of ``povmon ledger``: 1,000 realistic households into one workbook (issue 4).

Generates a township of 10 villages × 100 households straight into a fresh database (members, status
events, three years of income — some monthly —, benefits, pairings with replacements, measures,
visits, first secretaries), then runs the command as a user would, in a subprocess, several times:

    python benchmarks/bench_ledger.py                      # SQLite in a temporary folder
    python benchmarks/bench_ledger.py --db postgresql://postgres@127.0.0.1/povmon_bench_ledger

Reports the median wall time (and CPU time, as the machine may be shared) and the peak resident memory
of the whole command (start-up, queries, workbook) for the township (1,000 households) and for one
village (100), to show that memory does not grow with the number of households. The database given with
--db is dropped and created again. Target: 1,000 households in under 15 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from povmon.config import normalize_url
from povmon.db import make_engine, upgrade
from povmon.models import (
    Area,
    Benefit,
    Cadre,
    Household,
    HouseholdEvent,
    Income,
    Measure,
    Member,
    Pairing,
    Policy,
    Visit,
)
from povmon.rules import idcard

# ID numbers and phones are encrypted at rest (povmon.crypto): the benchmark's databases use a fixed key of
# their own, passed on to the processes it starts, unless one is configured
os.environ.setdefault("POVMON_KEY", "YmVuY2htYXJrcy1vd24ta2V5LW5vdC1hLWNvdW50eXM")


SURNAMES = "张王李赵刘陈杨黄吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = "建国秀英伟芳明丽强军敏静磊洋艳勇杰娟涛超霞平刚桂兰红梅小东海燕玉珍志华"
POLICIES = [("雨露计划", "education"), ("教育资助", "education"), ("医疗救助", "health"),
            ("医疗保险补贴", "health"), ("低保金", "social"), ("产业扶贫奖补", "industry"),
            ("公益岗位补贴", "employment"), ("护林员工资", "employment"), ("生态补偿", "ecology"),
            ("资产收益分红", "asset_income"), ("扶贫小额信贷贴息", "finance"), ("危房改造补助", "housing")]
VISIT_TEXT = ["宣讲政策，核实家庭收入", "了解务工情况，推荐就业岗位", "查看住房和饮水安全", "协助办理医疗救助手续",
              "走访了解子女上学情况", "指导种植白皮松，发放苗木", "核对五本账信息并签字确认"]
PROBLEMS = [None, None, None, "房屋漏雨需维修", "孩子上学交通不便", "慢性病用药负担重", "缺少务工技能"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def generate(url: str, households: int = 1000, villages: int = 10, seed: int = 4) -> None:
    """Fill a freshly migrated database with a township of realistic households."""
    rng = random.Random(seed)
    engine = make_engine(url)
    upgrade(engine)
    seq = iter(range(1, 10**7))
    with Session(engine) as session, session.begin():
        county = Area(level="county", name="交城县", code="141122")
        town = Area(level="township", name="西营镇", code="141122104", parent=county)
        session.add_all([county, town])
        village_rows = [Area(level="village", name=f"第{v + 1}村", code=f"141122104{v + 1:03d}", parent=town)
                        for v in range(villages)]
        session.add_all(village_rows)
        session.flush()
        policy_ids = []
        for name, category in POLICIES:
            p = Policy(name=name, category=category)
            session.add(p)
            session.flush()
            policy_ids.append(p.id)

        def person_id(born: dt.date, sex: str) -> str:
            n = next(seq)
            born = born + dt.timedelta(days=n // 400)
            return idcard.make("142323", born, (n % 400) * 2 + (1 if sex == "M" else 0))

        cadre_rows = []
        units = ["交城县教育局", "交城县水利局", "交城县国土资源局", "吕梁市财政局"]
        for _ in range(households // 5):
            cadre_rows.append(dict(name=_name(rng), id_number=person_id(dt.date(1975, 1, 1), "M"),
                                   unit=rng.choice(units),
                                   post=rng.choice(["科员", "副主任科员", "副局长", None]),
                                   phone=f"13{rng.randrange(10**9):09d}", role="responsible"))
        for v in village_rows:
            cadre_rows.append(dict(name=_name(rng), id_number=person_id(dt.date(1980, 1, 1), "M"), unit="吕梁市财政局",
                                   post="第一书记", phone=f"139{rng.randrange(10**8):08d}", role="first_secretary",
                                   village_id=v.id))
        session.execute(insert(Cadre), cadre_rows)
        cadre_ids = list(session.scalars(select(Cadre.id).where(Cadre.role == "responsible").order_by(Cadre.id)))

        house_rows = []
        for h in range(households):
            v = village_rows[h % villages]
            house_rows.append(dict(
                code=f"{v.code}{h // villages + 1:04d}", village_id=v.id, group_name=f"{rng.randint(1, 5)}组",
                phone=f"138{rng.randrange(10**8):08d}",
                attribute=rng.choice(["general_poor", "general_poor", "dibao_poor", "tekun_poor"]),
                standard="national", main_cause=rng.choice(["illness", "disability", "schooling", "no_labour"]),
                other_causes=rng.choice([None, "no_skills", "no_funds,no_skills"]),
                housing_safety=rng.choice("AABBC"), safe_water=True, electricity=True, road=True,
                food_clothing_secure=True, arable_land=Decimal(rng.randint(0, 120)) / 10,
                forest_land=Decimal(rng.randint(0, 50)) / 10,
            ))
        session.execute(insert(Household), house_rows)
        house_ids = list(session.scalars(select(Household.id).order_by(Household.id)))

        members, events, incomes, benefits, pairings, measures, visits = [], [], [], [], [], [], []
        for hid in house_ids:
            size = rng.choice((2, 3, 3, 4, 4, 5, 6))
            for i in range(size):
                relation = "head" if i == 0 else rng.choice(["spouse", "son", "daughter", "grandson", "mother"])
                sex = "F" if relation in ("daughter", "mother") else rng.choice("MF")
                born = dt.date(rng.randint(1940, 2015), rng.randint(1, 12), rng.randint(1, 28))
                row = dict(household_id=hid, name=_name(rng), id_number=person_id(born, sex), relation=relation,
                           sex=sex, birth_date=born, education=rng.choice(["primary", "junior", "senior"]),
                           school_status="not_student", health=rng.choice(["healthy", "healthy", "chronic"]),
                           labour=rng.choice(["ordinary", "weak", "none"]),
                           work_status=rng.choice(["none", "in_county"]),
                           work_months=rng.choice([None, 6, 10]), medical_insurance=True, pension_insurance=True,
                           left_on=None, left_reason=None)
                if i and rng.random() < 0.08:
                    row["left_on"], row["left_reason"] = dt.date(2018, rng.randint(1, 12), 1), "deceased"
                members.append(row)
            events.append(dict(household_id=hid, kind="identified", event_date=dt.date(2014, 12, 31), year_only=True,
                               standard="national", cause="illness", reason="农户申请，民主评议"))
            if rng.random() < 0.8:
                events.append(dict(household_id=hid, kind="exited", event_date=dt.date(rng.choice((2016, 2017, 2018)),
                                   12, 31), year_only=False, reason="达到退出标准"))
                if rng.random() < 0.1:
                    events.append(dict(household_id=hid, kind="returned", event_date=dt.date(2019, 6, 30),
                                       year_only=False, reason="因病返贫"))
            if rng.random() < 0.2:
                events.append(dict(household_id=hid, kind="monitoring_added", event_date=dt.date(2021, 4, 1),
                                   year_only=False, monitoring_type="unstable", risks="illness,unstable_work",
                                   lead_source="cadre_check"))
            for year in (2019, 2020, 2021):
                if rng.random() < 0.2:
                    for month in range(1, 13):
                        incomes.append(dict(household_id=hid, year=year, month=month,
                                            wage=Decimal(rng.randint(500, 2500)), transfer=Decimal(200)))
                else:
                    incomes.append(dict(household_id=hid, year=year, month=0, wage=Decimal(rng.randint(3000, 30000)),
                                        business=Decimal(rng.randint(0, 8000)),
                                        business_expense=Decimal(rng.randint(0, 2000)),
                                        property=Decimal(rng.choice((0, 0, 3000))),
                                        transfer=Decimal(rng.randint(500, 5000)) + Decimal("0.50")))
            for _ in range(rng.randint(3, 9)):
                benefits.append(dict(household_id=hid, policy_id=rng.choice(policy_ids),
                                     benefit_date=dt.date(rng.choice((2019, 2020, 2021)), rng.randint(1, 12), 15),
                                     amount=Decimal(rng.randint(200, 5000)), note=rng.choice([None, "按季发放"])))
            first = rng.choice(cadre_ids)
            if rng.random() < 0.3:
                second = rng.choice(cadre_ids)
                pairings.append(dict(household_id=hid, cadre_id=first, start_on=dt.date(2016, 3, 1),
                                     end_on=dt.date(2020, 1, 1), end_reason="工作调动"))
                pairings.append(dict(household_id=hid, cadre_id=second, start_on=dt.date(2020, 1, 1)))
                current = second
            else:
                pairings.append(dict(household_id=hid, cadre_id=first, start_on=dt.date(2016, 3, 1)))
                current = first
            for _ in range(rng.randint(1, 3)):
                measures.append(dict(household_id=hid, cadre_id=current, kind=rng.choice(["industry", "employment"]),
                                     measure_date=dt.date(rng.choice((2019, 2020, 2021)), rng.randint(1, 12), 1),
                                     description="发放白皮松苗木并指导栽植", amount=Decimal(rng.randint(0, 3000))))
            for _ in range(rng.randint(4, 8)):
                problem = rng.choice(PROBLEMS)
                visits.append(dict(household_id=hid, cadre_id=current, visit_date=dt.date(
                    rng.choice((2020, 2021)), rng.randint(1, 12), rng.randint(1, 28)), done=rng.choice(VISIT_TEXT),
                    problems=problem, resolved=None if problem is None else rng.random() < 0.6))
        for model, rows in ((Member, members), (HouseholdEvent, events), (Income, incomes), (Benefit, benefits),
                            (Pairing, pairings), (Measure, measures), (Visit, visits)):
            session.execute(insert(model), rows)
    engine.dispose()


def run(args: list[str]) -> tuple[float, float, float]:
    """Run one povmon command; (wall seconds, peak resident memory in MiB, CPU seconds)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "povmon", *args], stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak memory, not the benchmark's
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"povmon {' '.join(args)} failed:\n{err.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="PostgreSQL URL of a database to (re)create; default: SQLite in a temp folder")
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.db:
            url = normalize_url(args.db)
            name = make_url(url).database
            admin = make_engine(make_url(url).set(database="postgres").render_as_string(hide_password=False),
                                isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
        else:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        started = time.perf_counter()
        generate(url, args.households)
        print(f"generated {args.households} households in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")
        out = Path(tmp) / "out.xlsx"
        for label, selection in (("township (all households)", ["--township", "西营镇"]),
                                 ("one village", ["--village", "第1村"])):
            results = [run(["ledger", *selection, "--as-of", "2021-12-31", "-o", str(out), "--db", url])
                       for _ in range(args.runs)]
            times = [r[0] for r in results]
            print(f"{label}: median {statistics.median(times):.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)}),"
                  f" median CPU {statistics.median(r[2] for r in results):.2f} s,"
                  f" peak RSS {max(r[1] for r in results):.0f} MiB, workbook {out.stat().st_size / 2**20:.1f} MiB")
        if args.db:
            admin = make_engine(make_url(url).set(database="postgres").render_as_string(hide_password=False),
                                isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
