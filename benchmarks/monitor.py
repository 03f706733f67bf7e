"""Issue 12's speed target: ``monitor import-dept`` of a 100,000-row 医保 list against a 1,000,000-person register,
and ``monitor screen`` over that register, each within 3× a bare pandas merge of the same two tables on ID.

    python benchmarks/generate_county.py --people 1000000 --db sqlite:////tmp/bench/county-1m.db
    python benchmarks/monitor.py --db sqlite:////tmp/bench/county-1m.db [--rows 100000] [--runs 1]

The list is written once (not timed): 90 % of its rows are people present on the register (several stays for
some), 10 % people who are not, in the 医保 layout (title rows, 公民身份号码, 出院日期, 个人负担). Side by side in one
run, each timed from a fresh process so that every side pays for its own reading:

- pandas: ``read_excel`` (calamine) of the list, ``read_sql`` of the register's members (ID number, household,
  presence), one ``merge`` on the ID number — what a clerk's VLOOKUP does, and no more;
- ``povmon monitor import-dept … --dept 医保`` into a copy of the database (ID checks, matching, storing the rows);
- ``povmon monitor screen`` on that copy (every rule over the register and the departments' rows).

The register database is never changed: each povmon run works on a copy (SQLite) or on rows it removes
afterwards (PostgreSQL: the list's rows and the leads are deleted at the end).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import text
from sqlalchemy.engine import make_url
from stdnum.cn import ric

from povmon.config import normalize_url
from povmon.db import make_engine

# ID numbers and phones are encrypted at rest (povmon.crypto): the benchmark's databases use a fixed key of
# their own, passed on to the processes it starts, unless one is configured
os.environ.setdefault("POVMON_KEY", "YmVuY2htYXJrcy1vd24ta2V5LW5vdC1hLWNvdW50eXM")


AS_OF = dt.date(2019, 12, 31)

PANDAS = r"""
import sys, time
import pandas as pd
from sqlalchemy import create_engine
started = time.perf_counter()
listed = pd.read_excel(sys.argv[1], engine="calamine", header=2, dtype={"公民身份号码": str})
engine = create_engine(sys.argv[2])
members = pd.read_sql("SELECT id_number, household_id, left_on FROM member", engine)
members = members[members["left_on"].isna()]
merged = listed.merge(members, how="left", left_on="公民身份号码", right_on="id_number", indicator=True)
matched = int((merged["_merge"] == "both").sum())
print(f"{time.perf_counter() - started:.3f} {len(listed)} {matched}")
"""


def write_list(url: str, rows: int, path: Path, seed: int = 12) -> tuple[int, int]:
    """A 医保 list of ``rows`` rows: 90 % people on the register, 10 % not; returns (on register, strangers)."""
    rng = random.Random(seed)
    engine = make_engine(url)
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id_number FROM member WHERE left_on IS NULL"))]
    engine.dispose()
    known = rows * 9 // 10
    people = rng.sample(ids, known * 2 // 3)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("结算明细")
    ws.append(["交城县医疗保障局"])
    ws.append(["2019年城乡居民住院费用结算明细"])
    ws.append(["序号", "患者姓名", "公民身份号码", "出院日期", "医疗总费用", "基金支付", "个人负担"])
    taken = set(ids)
    for i in range(rows):
        if i < known:
            number = people[i % len(people)]
        else:
            while True:
                body = f"141122{1950 + rng.randrange(60)}{1 + rng.randrange(12):02d}{1 + rng.randrange(28):02d}" \
                       f"{rng.randrange(1000):03d}"
                number = body + ric.calc_check_digit(body + "0")
                if number not in taken:
                    taken.add(number)
                    break
        day = AS_OF - dt.timedelta(days=rng.randrange(360))
        oop = rng.randrange(200, 30000)
        ws.append([i + 1, "某某", number, day.isoformat(), oop * 3, oop * 2, oop])
    wb.save(path)
    return known, rows - known


def timed(command: list[str], env: dict | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{done.stderr}")
    return elapsed, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the benchmark county (benchmarks/generate_county.py)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    url = normalize_url(args.db)
    work = Path(tempfile.mkdtemp(prefix="povmon-monitor-bench-"))
    listed = work / "医保-2019.xlsx"
    t0 = time.perf_counter()
    known, strangers = write_list(url, args.rows, listed)
    print(f"list: {args.rows:,} rows ({known:,} of people on the register, {strangers:,} not), "
          f"written in {time.perf_counter() - t0:.1f} s, {listed.stat().st_size / 1e6:.1f} MB")
    env = dict(os.environ, POVMON_USER="bench")
    povmon = [shutil.which("povmon") or "povmon"]
    for run in range(1, args.runs + 1):
        if url.startswith("sqlite"):
            source = Path(make_url(url).database)
            copy = work / f"run{run}.db"
            shutil.copyfile(source, copy)
            target = f"sqlite:///{copy}"
        else:
            target = url
        pandas_s, out = timed([sys.executable, "-c", PANDAS, str(listed), url])
        seconds, rows, matched = out.split()
        print(f"run {run}: pandas read + merge {float(seconds):.2f} s in-process ({pandas_s:.2f} s with start-up), "
              f"{int(rows):,} rows, {int(matched):,} matched")
        imp_s, out = timed([*povmon, "monitor", "import-dept", str(listed), "--dept", "医保", "--as-of",
                            AS_OF.isoformat(), "--db", target, "--json"], env)
        counts = json.loads(out)["counts"]["rows"]
        print(f"run {run}: monitor import-dept {imp_s:.2f} s ({imp_s / pandas_s:.2f}× pandas): {counts}")
        scr_s, out = timed([*povmon, "monitor", "screen", "--as-of", AS_OF.isoformat(), "--db", target, "--json"],
                           env)
        print(f"run {run}: monitor screen {scr_s:.2f} s ({scr_s / pandas_s:.2f}× pandas): "
              f"{json.loads(out)['counts']}")
        again_s, out = timed([*povmon, "monitor", "import-dept", str(listed), "--dept", "医保", "--as-of",
                              AS_OF.isoformat(), "--db", target, "--json"], env)
        print(f"run {run}: the same list again {again_s:.2f} s: {json.loads(out)['counts']['rows']}")
        if not url.startswith("sqlite"):
            engine = make_engine(url)
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM lead_step"))
                conn.execute(text("DELETE FROM lead"))
                conn.execute(text("DELETE FROM dept_row"))
            engine.dispose()
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
