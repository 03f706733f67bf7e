"""Time the monthly summary end to end (the real command, a fresh process each run) on generated counties.

    python benchmarks/bench_monthly.py --db sqlite:////tmp/bench/c100000.db --db postgresql://…/povmon_bench_1m

For each database: the median of --runs runs of
  json      povmon report monthly --month M --json           (stdout to /dev/null)
  workbook  povmon report monthly --month M --json -o X.xlsx (every sheet)
plus one in-process run split into phases (build = the figures, details = the lists, write = the workbook).
Prints one Markdown table row per database, ready for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from povmon.config import normalize_url
from povmon.db import make_engine, session_factory
from povmon.models import Household, Member
from povmon.reports import monthly, monthly_xlsx

POVMON = str(Path(sys.executable).with_name("povmon"))


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def phases(url: str, month: str, out: Path) -> dict[str, float]:
    engine = make_engine(url)
    result = {}
    with session_factory(engine)() as session:
        started = time.perf_counter()
        report = monthly.build(session, month)
        result["build"] = time.perf_counter() - started
        started = time.perf_counter()
        details = monthly.details(session, report)
        result["details"] = time.perf_counter() - started
        rows = (len(details.changes) + len(details.below_line) + len(details.unpaired) + len(details.cadre_visits)
                + len(details.not_visited) + len(details.quality))
        result["rows"] = rows
    started = time.perf_counter()
    monthly_xlsx.write(report, details, out)
    result["write"] = time.perf_counter() - started
    engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", required=True)
    parser.add_argument("--month", default="2019-06")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| database | households | people | json (s) | workbook (s) | build / details / write (s) | list rows |")
    print("| --- | ---: | ---: | ---: | ---: | --- | ---: |")
    for raw in args.db:
        url = normalize_url(raw)
        engine = make_engine(url)
        with engine.connect() as conn:
            households = conn.scalar(select(func.count()).select_from(Household))
            people = conn.scalar(select(func.count()).select_from(Member).where(Member.left_on.is_(None)))
        engine.dispose()
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "m.xlsx"
            base = [POVMON, "report", "monthly", "--month", args.month, "--json", "--db", url]
            timed(base)  # warm the caches once, as a second run on a working machine would be
            json_runs = [timed(base) for _ in range(args.runs)]
            book_runs = [timed([*base, "-o", str(out)]) for _ in range(args.runs)]
            split = phases(url, args.month, out)
        kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        print(f"| {kind} | {households:,} | {people:,} | {statistics.median(json_runs):.2f} | "
              f"{statistics.median(book_runs):.2f} | {split['build']:.2f} / {split['details']:.2f} / "
              f"{split['write']:.2f} | {split['rows']:,} |", flush=True)


if __name__ == "__main__":
    main()
