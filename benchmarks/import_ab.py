"""Before/after timing of ``povmon import``: another source tree against this one, runs interleaved.

On a shared machine the load drifts between runs; alternating the two trees (A B, B A, A B …) makes the drift fall
on both alike, so a difference of a few percent can be told from noise. Each run is one import into an empty
SQLite database and one re-import of the same file (everything unchanged), in its own process, with the same
child as import_bench.py, and the child's CPU time is reported beside the wall time (on a machine shared with
other work it varies far less). Both trees must have the same migrations (this tree's build the databases).

Usage: python benchmarks/import_ab.py BASE_SRC [--members 60000] [--runs 9]
  BASE_SRC: the ``src`` folder of the other tree, e.g. from ``git archive BASE src | tar -x -C /tmp/base``.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# ID numbers and phones are encrypted at rest (povmon.crypto): the benchmark's databases use a fixed key of
# their own, passed on to the processes it starts, unless one is configured
os.environ.setdefault("POVMON_KEY", "YmVuY2htYXJrcy1vd24ta2V5LW5vdC1hLWNvdW50eXM")


HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
THIS = str(HERE.parent / "src")


def run(src: str, mode: str, roster: Path, target: str) -> tuple[float, float]:
    """(wall seconds the child measured around the import, CPU seconds of the whole child process)."""
    env = dict(os.environ, PYTHONPATH=src)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, str(HERE / "import_bench.py"), "--child", mode, "--roster",
                                 str(roster), "--target", target], stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)  # CPU time varies far less than wall time on a shared machine
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{mode} with {src} failed:\n{err.read().decode()}")
        seconds = json.loads(out.read().decode().strip().splitlines()[-1])["seconds"]
    return seconds, usage.ru_utime + usage.ru_stime


def fresh(path: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    subprocess.run([sys.executable, "-c", f"from povmon.db import make_engine, upgrade; upgrade(make_engine({url!r}))"],
                   env=dict(os.environ, PYTHONPATH=THIS), check=True)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the src folder of the tree to compare with")
    parser.add_argument("--members", type=int, default=60_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    roster = OUT / f"roster-{args.members}.xlsx"
    if not roster.exists():
        sys.path.insert(0, str(HERE))
        from make_roster import generate

        generate(roster, args.members)
    trees = {"base": args.base, "this": THIS}
    times: dict[tuple[str, str], list[float]] = {(t, m): [] for t in trees for m in ("import", "reimport")}
    cpu: dict[tuple[str, str], list[float]] = {(t, m): [] for t in trees for m in ("import", "reimport")}
    for i in range(args.runs):
        for name in (("base", "this") if i % 2 == 0 else ("this", "base")):
            db = OUT / f"ab-{name}.db"
            url = fresh(db)
            first, first_cpu = run(trees[name], "import", roster, url)
            sqlite3.connect(db).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
            again, again_cpu = run(trees[name], "reimport", roster, url)
            times[(name, "import")].append(first)
            times[(name, "reimport")].append(again)
            cpu[(name, "import")].append(first_cpu)
            cpu[(name, "reimport")].append(again_cpu)
            print(f"run {i + 1} {name:4}: import {first:.2f} s (CPU {first_cpu:.2f} s), "
                  f"re-import {again:.2f} s (CPU {again_cpu:.2f} s)", flush=True)
    for mode in ("import", "reimport"):
        base, this = statistics.median(times[("base", mode)]), statistics.median(times[("this", mode)])
        slower = sum(t > b for b, t in zip(times[("base", mode)], times[("this", mode)], strict=True))
        print(f"{mode:8}: base median {base:.2f} s, this tree {this:.2f} s ({this / base:.3f} ×; "
              f"this tree slower in {slower} of {args.runs} pairs)")
        base, this = statistics.median(cpu[("base", mode)]), statistics.median(cpu[("this", mode)])
        print(f"{mode:8}: process CPU, base median {base:.2f} s, this tree {this:.2f} s ({this / base:.3f} ×)")


if __name__ == "__main__":
    main()
