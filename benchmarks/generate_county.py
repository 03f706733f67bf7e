"""Generate a synthetic county for the benchmarks, written straight into a database with bulk inserts.

    python benchmarks/generate_county.py --people 1000000 --db sqlite:////tmp/bench/county-1m.db
    python benchmarks/generate_county.py --people 1000000 --db postgresql://postgres@127.0.0.1/povmon_bench_1m

The county has 13 townships and 200 villages; ~3.3 people per household (so 1,000,000 people are about
300,000 households); about 28% of households registered (identified 2014–2018, most exited since, a few
returned), 6% in monitoring; three years (2017–2019) of dated events, membership changes, pairings
(with replacements), visits (about every other month per paired household) and benefits; incomes for
2016–2018 (yearly entries, one in ten households entered month by month). Everything is dated, so a
report for a month in 2019 has records both before and after it, as in real use.

SQLite gets executemany on the raw connection; PostgreSQL gets COPY. Rows get explicit ids (the
PostgreSQL sequences are moved past them afterwards), then ANALYZE. The database is created from scratch:
an SQLite file is replaced; a PostgreSQL database (its name must contain "bench") is dropped and created.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from povmon import crypto
from povmon.config import normalize_url
from povmon.db import make_engine, upgrade

START, END = dt.date(2017, 1, 1), dt.date(2019, 12, 31)
# ID numbers and phones are encrypted at rest (povmon.crypto): the benchmark's databases use a fixed key of
# their own, passed on to the processes it starts, unless one is configured
os.environ.setdefault("POVMON_KEY", "YmVuY2htYXJrcy1vd24ta2V5LW5vdC1hLWNvdW50eXM")


CREATED = dt.datetime(2020, 1, 15, 8, 0, 0)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "建国华明丽英芳军伟强秀兰红梅海燕平刚玉桂花志勇春生福德成金宝山林霞艳杰文斌晓东峰"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
POLICIES = [
    ("雨露计划", "education"), ("教育资助", "education"), ("医疗保险补贴", "health"), ("医疗救助", "health"),
    ("危房改造", "housing"), ("易地扶贫搬迁", "housing"), ("低保", "social"), ("特困供养", "social"),
    ("扶贫小额信贷贴息", "finance"), ("产业扶贫奖补", "industry"), ("公益岗位", "employment"),
    ("护林员", "employment"), ("生态补偿", "ecology"), ("光伏收益分红", "asset_income"), ("临时救助", "other"),
]
UNITS = ["交城县国土资源局", "交城县教育局", "交城县卫健局", "交城县农业农村局", "交城县财政局", "交城县住建局"]
TOWNSHIPS = ["天宁镇", "夏家营镇", "西营镇", "水峪贯镇", "西社镇", "庞泉沟镇", "洪相乡", "岭底乡", "东坡底乡",
             "会立乡", "中西川乡", "岔口乡", "大岭乡"]


def id_number(area: str, born: dt.date, seq: int) -> str:
    body = f"{area}{born:%Y%m%d}{seq:03d}"
    total = sum(int(ch) * w for ch, w in zip(body, WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def rand_day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


class Sink:
    """Buffered bulk writer for one database: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, url: str, chunk: int = 50_000):
        self.url = url
        self.pg = url.startswith("postgresql")
        self.engine = make_engine(url)
        self.chunk = chunk
        self.buffers: dict[str, list[tuple]] = {}
        self.columns: dict[str, tuple[str, ...]] = {}
        self.counts: dict[str, int] = {}
        self.raw = self.engine.raw_connection()
        self.cursor = self.raw.cursor()
        if not self.pg:
            self.cursor.execute("PRAGMA synchronous=OFF")
            self.cursor.execute("PRAGMA foreign_keys=OFF")

    def declare(self, table: str, columns: str) -> None:
        names = tuple(c.strip() for c in columns.split(","))
        # ID numbers are stored sealed with their keyed hash beside them (povmon.crypto), as povmon writes them
        self.columns[table] = names + (("id_hash",) if "id_number" in names else ())
        self.buffers[table] = []
        self.counts[table] = 0

    def add(self, table: str, row: tuple) -> None:
        buffer = self.buffers[table]
        buffer.append(row)
        if len(buffer) >= self.chunk:
            # parents first: every table declared before this one is written before it (foreign keys)
            for name in self.buffers:
                self.flush(name)
                if name == table:
                    break

    def flush(self, table: str) -> None:
        rows = self.buffers[table]
        if not rows:
            return
        cols = self.columns[table]
        if "id_hash" in cols:
            at = cols.index("id_number")
            rows = [(*row[:at], crypto.seal(row[at], "id_number"), *row[at + 1:], crypto.id_hash(row[at]))
                    for row in rows]
        if self.pg:
            rows = [tuple(_pg(v) for v in row) for row in rows]
            with self.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            rows = [tuple(_sqlite(v) for v in row) for row in rows]
            marks = ", ".join("?" for _ in cols)
            # povmon's engine puts pysqlite in autocommit mode: one explicit transaction per chunk
            self.cursor.execute("BEGIN")
            self.cursor.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows)
            self.cursor.execute("COMMIT")
        self.counts[table] += len(rows)
        self.buffers[table] = []

    def finish(self) -> None:
        for table in self.buffers:
            self.flush(table)
        self.raw.commit()
        if self.pg:
            for table in self.buffers:
                self.cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
            self.raw.commit()
        self.cursor.close()
        self.raw.close()
        with self.engine.connect() as conn:
            if self.pg:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
            else:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
        self.engine.dispose()


class Fen(int):
    """An amount in fen: stored as the integer on SQLite (Fixed2), as a decimal on PostgreSQL."""


def _pg(value):
    if isinstance(value, Fen):
        return Decimal(int(value)).scaleb(-2)
    return value


def _sqlite(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Fen):
        return int(value)
    return value


def fresh_database(url: str) -> str:
    url = normalize_url(url)
    parsed = make_url(url)
    if url.startswith("sqlite"):
        path = Path(parsed.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        name = parsed.database or ""
        if "bench" not in name:
            sys.exit(f"refusing to drop {name!r}: a benchmark database name must contain 'bench'")
        admin = make_engine(parsed.set(database="postgres").render_as_string(hide_password=False),
                            isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def generate(url: str, people: int, seed: int = 1) -> dict[str, int]:
    """Write a county of about ``people`` people; returns the row count of each table."""
    rng = random.Random(seed)
    sink = Sink(url)
    sink.declare("area", "id, level, name, code, parent_id, created_at")
    sink.declare("policy", "id, name, category, created_at")
    sink.declare("cadre", "id, name, id_number, unit, role, village_id, created_at, created_by")
    sink.declare("household", "id, code, village_id, attribute, standard, main_cause, housing_safety, safe_water, "
                              "declared_size, food_clothing_secure, created_at, created_by")
    sink.declare("member", "id, household_id, name, id_number, relation, sex, birth_date, education, school_status, "
                           "health, labour, medical_insurance, joined_on, left_on, left_reason, created_at, created_by")
    sink.declare("household_event", "id, household_id, kind, event_date, year_only, reason, monitoring_type, "
                                    "elimination, cancels_event_id, created_at, created_by")
    sink.declare("income", "id, household_id, year, month, wage, business, business_expense, property, transfer, "
                           "compliant_spending, created_at, created_by")
    sink.declare("pairing", "id, household_id, cadre_id, start_on, end_on, end_reason, created_at, created_by")
    sink.declare("visit", "id, household_id, cadre_id, visit_date, done, resolved, created_at, created_by")
    sink.declare("benefit", "id, household_id, policy_id, benefit_date, amount, created_at, created_by")

    # areas: 1 county, 13 townships, 200 villages (15 or 16 each)
    sink.add("area", (1, "county", "交城县", "141122", None, CREATED))
    villages: list[int] = []
    next_area = 2
    for t, name in enumerate(TOWNSHIPS):
        town_id = next_area
        next_area += 1
        sink.add("area", (town_id, "township", name, f"141122{100 + t:03d}", 1, CREATED))
        count = 200 // len(TOWNSHIPS) + (1 if t < 200 % len(TOWNSHIPS) else 0)
        for v in range(count):
            sink.add("area", (next_area, "village", f"{name[:-1]}{v + 1}村", f"141122{100 + t:03d}{201 + v:03d}",
                              town_id, CREATED))
            villages.append(next_area)
            next_area += 1
    for pid, (name, category) in enumerate(POLICIES, start=1):
        sink.add("policy", (pid, name, category, CREATED))

    seqs: dict[tuple[str, dt.date], int] = {}

    def new_id(born: dt.date, female: bool) -> str:
        area = "142323" if born.year < 2003 else "141122"
        n = seqs.get((area, born), 0)
        seqs[(area, born)] = n + 1
        return id_number(area, born, (n * 2 + (0 if female else 1)) % 1000)

    def name(surname: str | None = None) -> str:
        return (surname or rng.choice(SURNAMES)) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")

    # cadres: a pool per village, about one per four focus households
    cadre_pool: dict[int, list[int]] = {v: [] for v in villages}
    next_cadre = 1
    target_households = round(people / 3.3)
    per_village = max(1, target_households // len(villages))
    for v in villages:
        for _ in range(max(2, per_village * 34 // 100 // 4)):
            born = rand_day(rng, dt.date(1965, 1, 1), dt.date(1990, 12, 31))
            role = "responsible" if rng.random() < 0.9 else rng.choice(["first_secretary", "team_member"])
            unit = rng.choice(UNITS)
            sink.add("cadre", (next_cadre, name(), new_id(born, rng.random() < 0.4), unit, role, v, CREATED, "bench"))
            cadre_pool[v].append(next_cadre)
            next_cadre += 1

    ids = {"member": 1, "household_event": 1, "income": 1, "pairing": 1, "visit": 1, "benefit": 1}

    def take(table: str) -> int:
        value = ids[table]
        ids[table] = value + 1
        return value

    people_written = 0
    hid = 0
    sizes, size_weights = (1, 2, 3, 4, 5, 6), (10, 18, 28, 26, 12, 6)
    while people_written < people:
        hid += 1
        village = villages[hid % len(villages)]
        size = rng.choices(sizes, size_weights)[0]
        registered = rng.random() < 0.28
        monitored = rng.random() < (0.08 if registered else 0.045)
        focus = registered or monitored
        housing = rng.choice("AB") if rng.random() > (0.03 if focus else 0.01) else rng.choice("CD")
        code = f"141122{hid:010d}"

        # members: a head, a spouse, children (some born during the three years), sometimes a parent
        head_born = rand_day(rng, dt.date(1940, 1, 1), dt.date(1990, 12, 31))
        surname = rng.choice(SURNAMES)
        member_rows = []
        for n in range(size):
            if n == 0:
                relation, born, female = "head", head_born, rng.random() < 0.15
            elif n == 1 and size > 2:
                relation, born, female = "spouse", head_born + dt.timedelta(days=rng.randrange(-1500, 1500)), True
            elif n == size - 1 and size >= 5:
                relation = "mother"
                born = head_born - dt.timedelta(days=rng.randrange(7000, 11000))
                female = True
            else:
                female = rng.random() < 0.5
                relation = "daughter" if female else "son"
                born = head_born + dt.timedelta(days=rng.randrange(6500, 14000))
                if born > dt.date(2019, 11, 30):  # not born yet: a child born in the last twenty years instead
                    born = rand_day(rng, dt.date(2000, 1, 1), dt.date(2019, 11, 30))
            joined = born if born >= START else None
            left = reason = None
            if n > 0 and rng.random() < 0.03:
                left = rand_day(rng, START, END)
                reason = "deceased" if born.year < 1960 else "moved_out"
            age = 2019 - born.year
            school = ("preschool" if age < 6 else ("not_student" if rng.random() < 0.01 else
                      ("primary" if age <= 12 else "junior")) if age <= 15 else
                      "senior" if age <= 18 else "not_student")
            health = rng.choices(("healthy", "chronic", "serious", "disabled"), (85, 8, 4, 3))[0]
            kin = relation in ("head", "son", "daughter")
            member_rows.append((take("member"), hid, name(surname if kin else None), new_id(born, female), relation,
                                "F" if female else "M", born, "junior", school, health, "ordinary",
                                rng.random() > 0.02, joined, left, reason, CREATED, "bench"))
            people_written += 1
        # 家庭人口 as the latest roster (early 2020) declared it; one household in a hundred miscounted
        declared = sum(1 for m in member_rows if m[13] is None) + (1 if rng.random() < 0.01 else 0)
        sink.add("household", (hid, code, village, "general_poor" if registered else "ordinary",
                               "national" if registered else None, "illness" if registered else None, housing,
                               True, declared, True, CREATED, "bench"))
        for row in member_rows:  # after their household: the buffers flush parents first
            sink.add("member", row)

        # status history
        events: list[int] = []

        def event(kind: str, day: dt.date, year_only: bool = False, *, hid: int = hid, events: list = events,
                  **extra) -> int:
            eid = take("household_event")
            sink.add("household_event", (eid, hid, kind, day, year_only, extra.get("reason"),
                                         extra.get("monitoring_type"), extra.get("elimination"),
                                         extra.get("cancels"), CREATED, "bench"))
            events.append(eid)
            return eid

        identified = None
        if registered:
            year = rng.choices((2014, 2015, 2016, 2017, 2018, 2019), (40, 25, 20, 8, 4, 3))[0]
            # identifications before 2019 were recorded by year (31 Dec); later ones carry their day
            identified = dt.date(year, 12, 31) if year < 2019 else rand_day(rng, dt.date(2019, 1, 1), END)
            event("identified", identified, year < 2019, reason="农户申请，村民代表评议，公示，乡镇审核，县级确定")
            if rng.random() < 0.85:
                exit_day = max(identified + dt.timedelta(days=30), rand_day(rng, dt.date(2016, 6, 1), END))
                if exit_day <= END:
                    event("exited", exit_day, reason="达到一达标两不愁三保障")
                    if rng.random() < 0.03 and exit_day < dt.date(2019, 6, 1):
                        event("returned", rand_day(rng, exit_day + dt.timedelta(days=1), END), reason="因病返贫")
        mon_day = None
        if monitored:
            mon_day = rand_day(rng, dt.date(2018, 1, 1), END)
            event("monitoring_added", mon_day, monitoring_type="unstable" if registered else
                  rng.choice(["near_poor", "hardship"]), reason="部门筛查预警")
            if rng.random() < 0.4:
                gone = mon_day + dt.timedelta(days=rng.randrange(90, 400))
                if gone <= END:
                    event("risk_eliminated", gone, elimination="assisted")
                    if rng.random() < 0.05:
                        event("elimination_revoked", gone + dt.timedelta(days=rng.randrange(10, 200)))
        if events and rng.random() < 0.01:  # a correction voiding a wrong entry
            target = rng.choice(events)
            event("cancelled", rand_day(rng, START, END), reason="录入错误更正", cancels=target)

        # incomes: focus households 2016–2018, a fifth of the others; one in ten entered month by month
        if focus or rng.random() < 0.2:
            monthly_entries = rng.random() < 0.1
            for year in (2016, 2017, 2018):
                if focus and rng.random() < 0.03:
                    continue  # not recorded: a data-quality item
                per_head = max(0.0, rng.gauss(7500 if not focus else 6500, 2500))
                total = int(per_head * size * 100)
                parts = [int(total * 0.6), int(total * 0.2), int(total * 0.05), int(total * 0.05)]
                transfer = total - sum(parts[:2]) + parts[2] - parts[3]
                if monthly_entries:
                    for month in range(1, 13):
                        sink.add("income", (take("income"), hid, year, month, Fen(parts[0] // 12),
                                            Fen(parts[1] // 12), Fen(parts[2] // 12), Fen(parts[3] // 12),
                                            Fen(transfer // 12), Fen(0), CREATED, "bench"))
                else:
                    sink.add("income", (take("income"), hid, year, 0, Fen(parts[0]), Fen(parts[1]), Fen(parts[2]),
                                        Fen(parts[3]), Fen(transfer), Fen(0), CREATED, "bench"))

        # pairings (some replaced), visits about every other month, benefits a few times a year
        if focus and rng.random() > 0.03:
            start = max(dt.date(2016, 3, 1), identified or dt.date(2016, 3, 1), mon_day or dt.date(2016, 3, 1))
            stints = [(start, None)]
            if rng.random() < 0.1 and start < END - dt.timedelta(days=1):
                switch = rand_day(rng, max(start, START) + dt.timedelta(days=1), END)
                stints = [(start, switch), (switch, None)]
            if rng.random() < 0.02 and stints[-1][0] < END:
                stints[-1] = (stints[-1][0], rand_day(rng, max(stints[-1][0], START), END))  # ended, not replaced
            previous = None
            for begin, finish in stints:
                cadre = rng.choice([c for c in cadre_pool[village] if c != previous] or cadre_pool[village])
                previous = cadre
                sink.add("pairing", (take("pairing"), hid, cadre, begin, finish, "更换帮扶人" if finish else None,
                                     CREATED, "bench"))
                first = max(begin, START)
                last = min(finish or END, END)
                month_start = dt.date(first.year, first.month, 1)
                while month_start <= last:
                    if rng.random() < 0.5:
                        day = month_start + dt.timedelta(days=rng.randrange(28))
                        if first <= day <= last:
                            sink.add("visit", (take("visit"), hid, cadre, day, "入户走访，宣传政策", True,
                                               CREATED, "bench"))
                    month_start = (month_start + dt.timedelta(days=32)).replace(day=1)
        if registered:
            for _ in range(rng.randrange(6, 14)):
                policy = rng.randrange(1, len(POLICIES) + 1)
                sink.add("benefit", (take("benefit"), hid, policy, rand_day(rng, START, END),
                                     Fen(rng.randrange(100, 3000) * 100), CREATED, "bench"))
    sink.finish()
    return dict(sink.counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--db", required=True, help="SQLAlchemy URL or SQLite path; the database is replaced")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = fresh_database(args.db)
    started = time.perf_counter()
    counts = generate(url, args.people, args.seed)
    took = time.perf_counter() - started
    print(f"{url}: {counts} in {took:.1f} s")


if __name__ == "__main__":
    main()
