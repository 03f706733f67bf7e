"""Keeping a copy of the register: ``povmon db backup FILE`` and ``povmon db restore FILE``.

SQLite is copied with its online backup API (``sqlite3.Connection.backup``): a consistent copy page by page while
other povmon commands keep working, into one self-contained file (journal mode DELETE, no -wal beside it).
PostgreSQL is copied with ``pg_dump --format=custom`` and restored with ``pg_restore``. A backup is written like
every other file (``files.atomic``, owner-only), never over an existing file without ``--force`` nor over the
database itself. A restore replaces the register, so it needs ``--force`` when the database already holds one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from povmon import files
from povmon.db import current_revision, describe, head_revision, known_revisions, sqlite_path
from povmon.errors import PovmonError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


@dataclass
class Copied:
    """What a backup or restore did: the file, its size and the schema revision it holds."""

    file: Path
    size: int
    revision: str | None


def backup(engine: Engine, target: Path) -> Copied:
    """Copy the whole database into ``target`` (the caller has checked the target: files.check_target)."""
    source = sqlite_path(engine)
    if engine.dialect.name == "sqlite":
        if source is None or not source.exists():
            raise PovmonError(f"数据库 {describe(engine)} 不存在，没有可备份的内容。")
        with files.atomic(target) as temporary:
            _sqlite_copy(_read_only(source), sqlite3.connect(temporary), single_file=True)
    else:
        revision_before = current_revision(engine)
        with files.atomic(target) as temporary:
            _run("pg_dump", ["--format=custom", "--no-owner", f"--file={temporary}", "--dbname", _libpq(engine)],
                 engine)
        return Copied(target, target.stat().st_size, revision_before)
    return Copied(target, target.stat().st_size, _sqlite_revision(target))


def restore(engine: Engine, source: Path, *, force: bool = False) -> Copied:
    """Replace the database's content with a backup made by ``backup`` (refused over a register without force)."""
    if not source.is_file():
        raise PovmonError(f"找不到备份文件 {source}；请检查路径。")
    with source.open("rb") as fh:
        magic = fh.read(16)
    target = sqlite_path(engine)
    if engine.dialect.name == "sqlite":
        if not magic.startswith(SQLITE_MAGIC):
            pg = magic.startswith(PG_DUMP_MAGIC)
            other = "，而是 PostgreSQL 的备份（pg_dump），只能恢复到 PostgreSQL" if pg else ""
            raise PovmonError(f"{source} 不是 SQLite 数据库的备份{other}；请给出 povmon db backup 写出的文件。")
        revision = _sqlite_revision(source)
        _check_revision(engine, revision, source)
        if target is not None and target.exists() and os.path.samefile(target, source):
            raise PovmonError(f"{source} 就是要恢复的数据库本身；请给出备份文件。")
        if target is not None and target.exists() and target.stat().st_size and not force:
            raise PovmonError(f"数据库 {target} 已经存在，恢复会用备份替换其中的全部内容；确认要替换请加 --force"
                              "（建议先用 povmon db backup 另存一份现在的）。")
        assert target is not None
        files.create_private(target)
        _sqlite_copy(_read_only(source), sqlite3.connect(target), single_file=False)
        return Copied(source, source.stat().st_size, revision)
    if not magic.startswith(PG_DUMP_MAGIC):
        raise PovmonError(f"{source} 不是 PostgreSQL 的备份（pg_dump 自定义格式）；"
                          "SQLite 的备份只能恢复到 SQLite 数据库（--db 文件路径）。")
    revision = current_revision(engine)
    if revision is not None and not force:
        raise PovmonError(f"数据库 {describe(engine)} 里已有登记簿（结构版本 {revision}），恢复会用备份替换全部内容；"
                          "确认要替换请加 --force（建议先用 povmon db backup 另存一份现在的）。")
    # --no-acl: the grants name povmon's group roles, which a new server does not have yet; they are given again
    # (and the roles made) by pgaccess.install, as db upgrade does.
    _run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error",
                        "--dbname", _libpq(engine), str(source)], engine)
    from povmon import pgaccess

    with engine.begin() as conn:
        pgaccess.install(conn)
    restored = current_revision(engine)
    _check_revision(engine, restored, source)
    return Copied(source, source.stat().st_size, restored)


def behind(engine: Engine, revision: str | None) -> bool:
    """Whether a restored database needs ``povmon db upgrade`` before use."""
    return revision != head_revision(engine)


def _check_revision(engine: Engine, revision: str | None, source: Path) -> None:
    if revision is None:
        raise PovmonError(f"{source} 里没有 povmon 的表，不是 povmon 数据库的备份；"
                          "请给出 povmon db backup 写出的文件。")
    if revision not in known_revisions(engine):
        raise PovmonError(f"{source} 的结构版本 {revision} 比本程序新（本程序最高为 {head_revision(engine)}）；"
                          "请先把 povmon 升级到同样的版本再恢复。")


def _read_only(path: Path) -> sqlite3.Connection:
    """A connection that can never create or change the file (the source of a copy)."""
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise PovmonError(f"{path} 不是可读的 SQLite 数据库（{exc}）；请给出 povmon 的数据库或备份文件。") from exc
    return conn


def _sqlite_copy(source: sqlite3.Connection, target: sqlite3.Connection, *, single_file: bool) -> None:
    """Copy every page with the online backup API, then check the copy."""
    try:
        with target:
            target.execute("PRAGMA busy_timeout=30000")
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE" if single_file else "PRAGMA journal_mode=WAL").fetchone()
        verdict = target.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise PovmonError(f"复制后的数据库检查不通过（{verdict}）；原数据库未改动，请稍后重试。")
    except sqlite3.OperationalError as exc:
        raise PovmonError(f"复制数据库失败（{exc}）；数据库可能正被长时间写入，请稍后重试。") from exc
    finally:
        source.close()
        target.close()


def _sqlite_revision(path: Path) -> str | None:
    conn = _read_only(path)
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()
    return row[0] if row else None


def _libpq(engine: Engine) -> str:
    """The server address as pg_dump takes it (the password travels in PGPASSWORD, not on the command line)."""
    return engine.url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(program: str, args: list[str], engine: Engine) -> None:
    found = shutil.which(program)
    if found is None:
        raise PovmonError(f"找不到 {program}；请安装 PostgreSQL 客户端工具（与服务器同一版本），"
                          "或在数据库服务器上备份。")
    env = dict(os.environ)
    if engine.url.password:
        env["PGPASSWORD"] = str(engine.url.password)
    done = subprocess.run([found, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or [f"退出码 {done.returncode}"])[-1]
        raise PovmonError(f"{program} 失败：{reason[:300]}；数据库没有改动，请按提示处理后重试。")
