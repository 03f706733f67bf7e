"""The monthly workbook's writer alone, side by side: the streaming writer (xlsxstream) against the openpyxl
write-only writer it replaced, on the same figures and lists of a generated county, in one process.

    python benchmarks/bench_monthly_writer.py --db /tmp/bench/c1000000.db [--runs 3] [--baseline cbc70ed]

Builds the report and its details once, then writes the workbook --runs times with each writer, interleaved
(old, new, old, new, …), and prints the medians, their ratio and the files' sizes as a Markdown table row.
The old writer is the file src/povmon/reports/monthly_xlsx.py at git revision --baseline, loaded as a module.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from povmon.config import normalize_url
from povmon.db import make_engine, session_factory
from povmon.reports import monthly, monthly_xlsx

# ID numbers and phones are encrypted at rest (povmon.crypto): the benchmark's databases use a fixed key of
# their own, passed on to the processes it starts, unless one is configured
os.environ.setdefault("POVMON_KEY", "YmVuY2htYXJrcy1vd24ta2V5LW5vdC1hLWNvdW50eXM")


ROOT = Path(__file__).resolve().parent.parent


def baseline_writer(revision: str, folder: Path):
    source = subprocess.run(["git", "show", f"{revision}:src/povmon/reports/monthly_xlsx.py"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout
    path = folder / "monthly_xlsx_baseline.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("monthly_xlsx_baseline", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--month", default="2019-06")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", default="cbc70ed", help="git revision of the openpyxl writer")
    args = parser.parse_args()
    engine = make_engine(normalize_url(args.db))
    with session_factory(engine)() as session:
        started = time.perf_counter()
        report = monthly.build(session, args.month)
        build = time.perf_counter() - started
        started = time.perf_counter()
        details = monthly.details(session, report)
        listed = time.perf_counter() - started
    engine.dispose()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        old = baseline_writer(args.baseline, folder)
        runs: dict[str, list[float]] = {"openpyxl": [], "xlsxstream": []}
        sizes = {}
        for _ in range(args.runs):
            for name, writer in (("openpyxl", old), ("xlsxstream", monthly_xlsx)):
                out = folder / f"{name}.xlsx"
                started = time.perf_counter()
                writer.write(report, details, out)
                runs[name].append(time.perf_counter() - started)
                sizes[name] = out.stat().st_size
    a, b = statistics.median(runs["openpyxl"]), statistics.median(runs["xlsxstream"])
    print("| build (s) | details (s) | openpyxl writer (s) | xlsxstream writer (s) | new ÷ old | files (MB) |")
    print("| ---: | ---: | ---: | ---: | ---: | --- |")
    print(f"| {build:.2f} | {listed:.2f} | {a:.2f} | {b:.2f} | {b / a:.2f} × | "
          f"{sizes['openpyxl'] / 1e6:.1f} / {sizes['xlsxstream'] / 1e6:.1f} |")


if __name__ == "__main__":
    main()
