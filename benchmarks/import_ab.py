"""Before/after timing of ``povmon import``: another source tree against this one, runs interleaved.

On a shared machine the load drifts between runs; alternating the two trees (A B, B A, A B …) makes the drift fall
on both alike, so a difference of a few percent can be told from noise. Each run is one import into an empty
SQLite database and one re-import of the same file (everything unchanged), in its own process, with the same
child as import_bench.py. Both trees must have the same migrations (this tree's build the databases).

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
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
THIS = str(HERE.parent / "src")


def run(src: str, mode: str, roster: Path, target: str) -> float:
    env = dict(os.environ, PYTHONPATH=src)
    out = subprocess.run([sys.executable, str(HERE / "import_bench.py"), "--child", mode, "--roster", str(roster),
                          "--target", target], capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{mode} with {src} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


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
    for i in range(args.runs):
        for name in (("base", "this") if i % 2 == 0 else ("this", "base")):
            db = OUT / f"ab-{name}.db"
            url = fresh(db)
            first = run(trees[name], "import", roster, url)
            sqlite3.connect(db).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
            again = run(trees[name], "reimport", roster, url)
            times[(name, "import")].append(first)
            times[(name, "reimport")].append(again)
            print(f"run {i + 1} {name:4}: import {first:.2f} s, re-import {again:.2f} s", flush=True)
    for mode in ("import", "reimport"):
        base, this = statistics.median(times[("base", mode)]), statistics.median(times[("this", mode)])
        print(f"{mode:8}: base median {base:.2f} s, this tree {this:.2f} s ({this / base:.3f} ×)")


if __name__ == "__main__":
    main()
