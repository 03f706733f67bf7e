"""The monthly summary, two trees side by side: the JSON and the workbook of the real command, each in a fresh
process, for a base tree's ``src`` (A) and this checkout (B), interleaved run by run.

    git archive 101bf4b src alembic | tar -x -C /tmp/base   # the commands look for alembic/ beside src/
    python benchmarks/monthly_ab.py /tmp/base/src --db sqlite:////tmp/bench/c1m.db [--runs 3] [--month 2019-06]

Each round runs A json, A workbook, B json, B workbook (the order of A and B alternating round by round), so a
busy moment of the machine falls on both alike. Prints the medians, each workbook ÷ its JSON, and the CPU time
of the children (user + system), as Markdown table rows.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POVMON = str(Path(sys.executable).with_name("povmon"))


def timed(args: list[str], src: str) -> tuple[float, float]:
    env = dict(os.environ, PYTHONPATH=src)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the base tree's src folder")
    parser.add_argument("--db", required=True)
    parser.add_argument("--month", default="2019-06")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    trees = {"A": str(Path(args.base).resolve()), "B": str(ROOT / "src")}
    with tempfile.TemporaryDirectory() as tmp:
        base = [POVMON, "report", "monthly", "--month", args.month, "--json", "--db", args.db]
        cases = {"json": base, "workbook": [*base, "-o", str(Path(tmp) / "m.xlsx"), "--force"]}
        timed(base, trees["B"])  # warm the caches once
        runs: dict[tuple[str, str], list[tuple[float, float]]] = {(t, c): [] for t in trees for c in cases}
        for n in range(args.runs):
            for tree in ("A", "B") if n % 2 == 0 else ("B", "A"):
                for case, command in cases.items():
                    runs[tree, case].append(timed(command, trees[tree]))
                    print(f"round {n + 1} {tree} {case}: {runs[tree, case][-1][0]:.2f} s", file=sys.stderr, flush=True)
    print("| tree | json (s) | workbook (s) | workbook ÷ json | json CPU (s) | workbook CPU (s) "
          "| runs json / workbook |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for tree, label in (("A", "base"), ("B", "this branch")):
        j = statistics.median(w for w, _ in runs[tree, "json"])
        b = statistics.median(w for w, _ in runs[tree, "workbook"])
        jc = statistics.median(c for _, c in runs[tree, "json"])
        bc = statistics.median(c for _, c in runs[tree, "workbook"])
        listing = (", ".join(f"{w:.2f}" for w, _ in runs[tree, "json"]) + " / "
                   + ", ".join(f"{w:.2f}" for w, _ in runs[tree, "workbook"]))
        print(f"| {label} | {j:.2f} | {b:.2f} | {b / j:.2f} × | {jc:.2f} | {bc:.2f} | {listing} |", flush=True)


if __name__ == "__main__":
    main()
