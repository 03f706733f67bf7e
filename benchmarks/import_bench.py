"""Benchmark of ``povmon import`` on a flat roster of 200,000 member rows (about 60,000 households, 30 columns).

Measured in the same run, each in its own process (so peak memory is that run's own):
  baseline   pandas.read_excel(engine="calamine") + DataFrame.to_sql into an empty SQLite file
  calamine   the bare read: python-calamine opens the file and turns the sheet into Python lists, nothing more
  import     povmon's import into an empty SQLite database (migrated beforehand, not timed)
  reimport   the same file again into that database: everything unchanged
  pg-import  the same file into an empty PostgreSQL database (--pg URL)
Targets (issue 18): import ≤ 1.0 × baseline and ≤ 2.5 × the bare calamine read; reimport ≤ 0.8 × baseline; peak
memory ≤ 700 MB (issue 3's: ≤ 2 ×, < 1.5 GB, PostgreSQL ≤ 1.5 × SQLite). The kinds of run alternate within each
round (their order rotates round by round) and the medians of --runs rounds are compared; the script prints
whether each target is met.

Usage: python benchmarks/import_bench.py [--members 200000] [--runs 3] [--pg postgresql://postgres@127.0.0.1/DB]
The roster is generated once into benchmarks/out/ (make_roster.py, deterministic).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

# ID numbers and phones are encrypted at rest (povmon.crypto): the benchmark's databases use a fixed key of
# their own, passed on to the processes it starts, unless one is configured
os.environ.setdefault("POVMON_KEY", "YmVuY2htYXJrcy1vd24ta2V5LW5vdC1hLWNvdW50eXM")


HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
PEAK_LIMIT_MB = 700


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, roster: Path, target: str) -> dict:
    """One measurement, in this (child) process."""
    if mode == "baseline":
        import pandas as pd
        import sqlalchemy

        engine = sqlalchemy.create_engine(target)
        start, cpu = time.perf_counter(), time.process_time()
        frame = pd.read_excel(roster, engine="calamine", header=1)
        frame.to_sql("roster", engine, if_exists="replace", index=False)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        engine.dispose()
        return {"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb(), "rows": len(frame)}
    if mode == "calamine":
        import python_calamine

        start, cpu = time.perf_counter(), time.process_time()
        book = python_calamine.CalamineWorkbook.from_path(str(roster))
        rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        return {"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb(), "rows": len(rows)}

    from povmon.db import make_engine, session_factory
    from povmon.ingest import ImportOptions, import_files

    engine = make_engine(target)
    start, cpu = time.perf_counter(), time.process_time()
    with session_factory(engine)() as session, session.begin():
        result = import_files(session, [roster], ImportOptions(user="bench", as_of=dt.date(2019, 1, 31),
                                                                create_areas=True))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    engine.dispose()
    members = result.counts["members"]
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb(), "members": members,
            "errors": len(result.errors)}


def run_child(mode: str, roster: Path, target: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--roster", str(roster), "--target", target],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def fresh_sqlite(path: Path) -> str:
    from povmon.db import make_engine, upgrade

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def checkpoint(url: str) -> None:
    from povmon.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def fresh_pg(url: str) -> str:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from povmon.config import normalize_url
    from povmon.db import make_engine, upgrade

    url = normalize_url(url)
    name = make_url(url).database
    admin = make_engine(make_url(url).set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", help="a PostgreSQL database URL to (re)create and import into")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--roster", help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, Path(args.roster), args.target)))
        return

    OUT.mkdir(exist_ok=True)
    roster = OUT / f"roster-{args.members}.xlsx"
    if not roster.exists():
        sys.path.insert(0, str(HERE))
        from make_roster import generate

        print(f"generating {roster} …", flush=True)
        generate(roster, args.members)
    print(f"povmon import benchmark — {dt.date.today()}, {platform.machine()}, Python {platform.python_version()}, "
          f"roster {roster.name} ({roster.stat().st_size / 1e6:.1f} MB), {args.runs} runs", flush=True)

    results: dict[str, list[dict]] = {"baseline": [], "calamine": [], "import": [], "reimport": [],
                                      "pg-import": []}

    def import_and_reimport() -> None:
        url = fresh_sqlite(OUT / "import.db")
        results["import"].append(run_child("import", roster, url))
        checkpoint(url)
        copy = OUT / "reimport.db"
        shutil.copyfile(OUT / "import.db", copy)
        results["reimport"].append(run_child("reimport", roster, f"sqlite:///{copy}"))

    def baseline() -> None:
        base_db = OUT / "baseline.db"
        base_db.unlink(missing_ok=True)
        results["baseline"].append(run_child("baseline", roster, f"sqlite:///{base_db}"))

    def calamine() -> None:
        results["calamine"].append(run_child("calamine", roster, ""))

    def pg() -> None:
        if args.pg:
            results["pg-import"].append(run_child("pg-import", roster, fresh_pg(args.pg)))

    kinds = [baseline, calamine, import_and_reimport, pg]
    for run in range(1, args.runs + 1):
        shift = (run - 1) % len(kinds)
        for kind in kinds[shift:] + kinds[:shift]:  # interleaved: the order rotates round by round
            kind()
        line = "  ".join(f"{k} {v[-1]['seconds']:.1f}s (CPU {v[-1]['cpu']:.1f}s)/{v[-1]['peak_mb']:.0f}MB"
                         for k, v in results.items() if v)
        print(f"run {run}: {line}", flush=True)

    median = {k: statistics.median(r["seconds"] for r in v) for k, v in results.items() if v}
    cpu = {k: statistics.median(r["cpu"] for r in v) for k, v in results.items() if v}
    peak = {k: max(r["peak_mb"] for r in v) for k, v in results.items() if v}
    last = results["import"][-1]["members"]
    again = results["reimport"][-1]["members"]
    print()
    print(f"{'':10} {'median s':>9} {'CPU s':>7} {'peak MB':>8}   (CPU: the work's own process time, which a shared"
          " machine's load barely moves)")
    for k in median:
        print(f"{k:10} {median[k]:9.1f} {cpu[k]:7.1f} {peak[k]:8.0f}")
    print("CPU ratios: " + ", ".join(f"{k} / baseline {cpu[k] / cpu['baseline']:.2f} ×, / calamine "
                                     f"{cpu[k] / cpu['calamine']:.2f} ×" for k in ("import", "reimport")))
    print(f"import members: {last}; reimport members: {again}")
    # The target is the importer's memory: the pandas baseline's own peak is not part of it.
    imports_peak = max(peak["import"], peak["reimport"], peak.get("pg-import", 0))
    checks = [
        ("import ≤ 1.0 × baseline (issue 18)", median["import"] <= median["baseline"],
         f"{median['import'] / median['baseline']:.2f} ×"),
        ("import ≤ 2.5 × bare calamine read (issue 18)", median["import"] <= 2.5 * median["calamine"],
         f"{median['import'] / median['calamine']:.2f} ×"),
        ("reimport ≤ 0.8 × baseline, all unchanged (issue 18)",
         median["reimport"] <= 0.8 * median["baseline"] and again["created"] == again["updated"] == 0,
         f"{median['reimport'] / median['baseline']:.2f} ×"),
        (f"peak memory ≤ {PEAK_LIMIT_MB} MB (issue 18)", imports_peak <= PEAK_LIMIT_MB, f"{imports_peak:.0f} MB"),
    ]
    if "pg-import" in median:
        checks.append(("PostgreSQL ≤ 1.5 × SQLite", median["pg-import"] <= 1.5 * median["import"],
                       f"{median['pg-import'] / median['import']:.2f} ×"))
    print()
    for name, ok, figure in checks:
        print(f"{'MET ' if ok else 'MISSED'}  {name}: {figure}")
    if not all(ok for _n, ok, _f in checks):
        sys.exit(1)


if __name__ == "__main__":
    main()
