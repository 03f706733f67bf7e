"""How long a short command takes to start, against the bare import of SQLAlchemy and Typer (issue 18, item 3).

Each command runs in its own process, the way a clerk runs it; the baseline is ``python -c 'import sqlalchemy,
typer'``. The commands and the baseline are interleaved run by run (the order rotates), so drift of a shared
machine falls on all alike; the figure is the median wall time of each, and its ratio to the baseline's median.

Usage: python benchmarks/startup.py [--runs 11] [--db FILE]
  --db: a povmon database with household 1411221000010001 (e.g. ``povmon demo DIR``'s DIR/povmon.db); without it a
  small database is built in a temporary folder (db upgrade, a county, a township, a village and one household).

povmon's modules are byte-compiled first (an installed package is; this environment sets PYTHONDONTWRITEBYTECODE).
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# ID numbers and phones are encrypted at rest (povmon.crypto): the benchmark's databases use a fixed key of
# their own, passed on to the processes it starts, unless one is configured
os.environ.setdefault("POVMON_KEY", "YmVuY2htYXJrcy1vd24ta2V5LW5vdC1hLWNvdW50eXM")


HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
CODE = "1411221000010001"


def povmon(*args: str) -> list[str]:
    return [sys.executable, "-m", "povmon", *args]


def build(folder: Path) -> Path:
    db = folder / "startup.db"
    steps = [
        ("db", "upgrade"),
        ("area", "add", "某县", "--level", "县", "--code", "141122"),
        ("area", "add", "某镇", "--level", "乡镇", "--parent", "某县", "--code", "141122100"),
        ("area", "add", "某村", "--level", "村", "--parent", "某镇", "--code", "141122100001"),
        ("household", "add", CODE, "--village", "某镇/某村", "--head", "张三", "--head-id", "142323197003011238"),
    ]
    for step in steps:
        subprocess.run(povmon(*step, "--db", str(db)), check=True, stdout=subprocess.DEVNULL)
    return db


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr.decode()}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--db", help="a povmon database holding household " + CODE)
    args = parser.parse_args()
    compileall.compile_dir(str(SRC), quiet=1)
    folder = Path(tempfile.mkdtemp(prefix="povmon-startup-"))
    try:
        db = Path(args.db) if args.db else build(folder)
        cases = {
            "baseline: import sqlalchemy, typer": [sys.executable, "-c", "import sqlalchemy, typer"],
            "povmon --help": povmon("--help"),
            "povmon household show CODE": povmon("household", "show", CODE, "--db", str(db)),
            "povmon area list": povmon("area", "list", "--db", str(db)),
            "povmon household --help": povmon("household", "--help"),
        }
        env_note = f"load average at start {os.getloadavg()[0]:.1f}"
        times: dict[str, list[float]] = {name: [] for name in cases}
        names = list(cases)
        for name in names:  # warm the page cache once
            timed(cases[name])
        for i in range(args.runs):
            order = names[i % len(names):] + names[:i % len(names)]
            for name in order:
                times[name].append(timed(cases[name]))
        base = statistics.median(times[names[0]])
        print(f"{args.runs} runs each, interleaved; {env_note}, at end {os.getloadavg()[0]:.1f}")
        print("| command | median | min | ratio to baseline |\n| --- | ---: | ---: | ---: |")
        for name in names:
            median = statistics.median(times[name])
            print(f"| {name} | {median:.3f} s | {min(times[name]):.3f} s | {median / base:.2f} × |")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
