"""Time the monthly summary end to end (the real command, a fresh process each run) on generated counties.

    python benchmarks/bench_monthly.py --db sqlite:////tmp/bench/c100000.db --db postgresql://…/povmon_bench_1m

For each database: the median of --runs runs, interleaved (json, workbook, json, workbook, …), of
  json      povmon report monthly --month M --json           (stdout to /dev/null)
  workbook  povmon report monthly --month M --json -o X.xlsx (every sheet, streamed through xlsxstream)
and their ratio (issue 18: the workbook at most 1.5× the JSON), plus one in-process run split into phases
(build = the figures, details = the lists, write = the workbook) and the workbook's size.
Prints one Markdown table row per database, ready for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
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

# ID numbers and phones are encrypted at rest (povmon.crypto): the benchmark's databases use a fixed key of
# their own, passed on to the processes it starts, unless one is configured
os.environ.setdefault("POVMON_KEY", "YmVuY2htYXJrcy1vd24ta2V5LW5vdC1hLWNvdW50eXM")


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
    print("| database | households | people | json (s) | workbook (s) | workbook ÷ json | build / details / write (s) "
          "| list rows | file |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
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
            json_runs, book_runs = [], []
            for _ in range(args.runs):  # interleaved, so that a busy moment of the machine hits both alike
                json_runs.append(timed(base))
                book_runs.append(timed([*base, "-o", str(out), "--force"]))
            split = phases(url, args.month, out)
            size = out.stat().st_size
        kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        json_s, book_s = statistics.median(json_runs), statistics.median(book_runs)
        print(f"| {kind} | {households:,} | {people:,} | {json_s:.2f} | {book_s:.2f} | {book_s / json_s:.2f} × | "
              f"{split['build']:.2f} / {split['details']:.2f} / {split['write']:.2f} | {split['rows']:,} | "
              f"{size / 1e6:.1f} MB |", flush=True)


if __name__ == "__main__":
    main()
