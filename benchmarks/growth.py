"""Growth of the heavy work with the size of the input (issue 18, item 4): is the time per 100,000 rows (or people)
flat from the smallest size to the largest?

    python benchmarks/growth.py rosters --rows 50000 100000 200000 [--runs 1]
    python benchmarks/growth.py summary --people 100000 1000000 3000000 \\
        --pg postgresql://postgres@127.0.0.1/povmon_speed_bench [--runs 3] [--reuse] [--explain]

rosters  the import of a flat roster (make_roster.py, generated once into benchmarks/out/) into an empty SQLite
         database, with every check, audit row and event (import_bench.py's child: time, CPU and peak memory of
         the import process itself).
summary  ``povmon report monthly --month M --json`` for a generated county of each size (generate_county.py, on
         PostgreSQL through COPY, after ``povmon db upgrade``; one database per size, named URL_<people>; SQLite
         files with --sqlite FOLDER): the median wall time of --runs fresh processes and the command's peak
         memory (maximum resident set size), plus how long generating took. --reuse keeps a database that is
         already there (its size is checked by counting people); --explain prints PostgreSQL's plans of the
         summary's biggest queries at the largest size (EXPLAIN (ANALYZE, BUFFERS)).
Prints Markdown table rows, ready for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
POVMON = str(Path(sys.executable).with_name("povmon"))

# runs a command and prints its wall time and peak memory (this helper's only child is the command)
MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
    "t = time.perf_counter() - t\n"
    "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(t, r.ru_maxrss / 1024, r.ru_utime + r.ru_stime)\n"
)


def measure(command: list[str]) -> tuple[float, float, float]:
    """(wall seconds, peak MB, CPU seconds) of one run of the command in a fresh process."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], check=True, capture_output=True, text=True)
    wall, peak, cpu = out.stdout.split()
    return float(wall), float(peak), float(cpu)


def rosters(sizes: list[int], runs: int) -> None:
    import import_bench
    from make_roster import generate

    OUT.mkdir(exist_ok=True)
    print("| roster rows | file (MB) | import (s, median) | runs (s) | CPU (s) | peak memory (MB) | s per 100k rows |")
    print("| ---: | ---: | ---: | --- | ---: | ---: | ---: |")
    for rows in sizes:
        roster = OUT / f"roster-{rows}.xlsx"
        if not roster.exists():
            generate(roster, rows)
        results = []
        for _ in range(runs):
            url = import_bench.fresh_sqlite(OUT / "growth-import.db")
            results.append(import_bench.run_child("import", roster, url))
        wall = statistics.median(r["seconds"] for r in results)
        cpu = statistics.median(r["cpu"] for r in results)
        peak = max(r["peak_mb"] for r in results)
        listing = ", ".join(f"{r['seconds']:.1f}" for r in results)
        print(f"| {rows:,} | {roster.stat().st_size / 1e6:.1f} | {wall:.1f} | {listing} | {cpu:.1f} | {peak:,.0f} | "
              f"{wall / rows * 100_000:.2f} |", flush=True)


def _people(url: str) -> int | None:
    from sqlalchemy import func, select
    from sqlalchemy.exc import SQLAlchemyError

    from povmon.db import make_engine
    from povmon.models import Member

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(Member))
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()


def _url(args, people: int) -> str:
    if args.sqlite:
        Path(args.sqlite).mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{Path(args.sqlite).resolve() / f'growth-{people}.db'}"
    return f"{args.pg}_{people}"


def summary(args) -> None:
    import generate_county

    rows = []
    for people in args.people:
        url = _url(args, people)
        generated = ""
        if not (args.reuse and (_people(url) or 0) >= people):
            url = generate_county.fresh_database(url)
            started = time.perf_counter()
            counts = generate_county.generate(url, people)
            generated = f"{time.perf_counter() - started:.0f}"
            print(f"generated {url}: {counts} in {generated} s", file=sys.stderr, flush=True)
        command = [POVMON, "report", "monthly", "--month", args.month, "--json", "--db", url]
        measure(command)  # warm the caches once
        runs = [measure(command) for _ in range(args.runs)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[2] for r in runs)
        peak = max(r[1] for r in runs)
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        county = json.loads(out)["areas"][0]
        rows.append((people, county["households"], county["people"], generated, wall, runs, cpu, peak))
        print(f"measured {people:,}: {wall:.2f} s, {peak:.0f} MB", file=sys.stderr, flush=True)
    print("| people generated | households present | people present | generated in (s) | json (s, median) "
          "| runs (s) | CPU (s) | peak memory (MB) | s per 100k people |")
    print("| ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
    for people, households, present, generated, wall, runs, cpu, peak in rows:
        listing = ", ".join(f"{r[0]:.2f}" for r in runs)
        print(f"| {people:,} | {households:,} | {present:,} | {generated or '–'} | {wall:.2f} | {listing} | "
              f"{cpu:.2f} | {peak:,.0f} | {wall / people * 100_000:.3f} |")
    if args.explain and not args.sqlite:
        explain(_url(args, args.people[-1]), args.month)


def explain(url: str, month: str) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the summary's biggest statements on PostgreSQL."""
    from sqlalchemy import func, select

    from povmon.db import make_engine
    from povmon.models import Household, Income, Member
    from povmon.reports.monthly import Month
    from povmon.services import snapshot

    m = Month.parse(month)
    statements = {
        "members present (snapshot.members_present)":
            select(Member.household_id, func.count()).where(Member.present_on(m.as_of)).group_by(Member.household_id),
        "statuses (snapshot.status_query)": snapshot.status_query(m.as_of),
        "incomes of the year (snapshot.incomes_of_year)":
            select(Income.household_id, func.sum(Income.wage)).where(Income.year == m.income_year)
            .group_by(Income.household_id),
        "household villages (snapshot.household_villages)": select(Household.id, Household.village_id),
    }
    engine = make_engine(url)
    with engine.connect() as conn:
        for title, statement in statements.items():
            sql = str(statement.compile(conn, compile_kwargs={"literal_binds": True}))
            plan = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {sql}").scalars().all()
            print(f"\n{title}:\n" + "\n".join(f"    {line}" for line in plan))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    r = sub.add_parser("rosters")
    r.add_argument("--rows", type=int, nargs="+", default=[50_000, 100_000, 200_000])
    r.add_argument("--runs", type=int, default=1)
    s = sub.add_parser("summary")
    s.add_argument("--people", type=int, nargs="+", default=[100_000, 1_000_000])
    s.add_argument("--pg", default=os.environ.get("POVMON_BENCH_PG", "postgresql://postgres@127.0.0.1/povmon_speed_bench"))
    s.add_argument("--sqlite", help="a folder for SQLite counties instead of PostgreSQL")
    s.add_argument("--month", default="2019-06")
    s.add_argument("--runs", type=int, default=3)
    s.add_argument("--reuse", action="store_true")
    s.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    if args.what == "rosters":
        rosters(args.rows, args.runs)
    else:
        summary(args)


if __name__ == "__main__":
    main()
