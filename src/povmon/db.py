"""Engine, sessions and migrations.

SQLite gets foreign keys, WAL and a busy timeout, and real transactions: pysqlite's own implicit
BEGIN is switched off and SQLAlchemy emits BEGIN itself, so savepoints and transactional DDL work
(see the SQLAlchemy SQLite dialect notes on "Serializable isolation / Savepoints / Transactional DDL").
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from povmon import config, files
from povmon.errors import PovmonError, SchemaMissing

SUPPORTED = ("sqlite", "postgresql")
DEFAULT_BUSY_SECONDS = 30
DEFAULT_CONNECT_SECONDS = 10


def make_engine(url: str, *, create: bool = True, **kwargs) -> Engine:
    """Create an engine with povmon's connection settings for SQLite or PostgreSQL.

    With ``create=False`` (every command but ``db upgrade`` and ``db restore``) a SQLite file that does not exist
    is refused, so that reading never leaves an empty database behind.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise PovmonError(f"数据库地址无法识别：{url}（例：sqlite:///povmon.db 或 postgresql://user@host/db）") from exc
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED:
        raise PovmonError(f"不支持的数据库类型：{parsed.drivername}；povmon 只能用 SQLite（文件路径）"
                          "或 PostgreSQL（postgresql://用户@服务器/库名）。")
    if backend == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            path = Path(database).expanduser().resolve()
            if not path.parent.is_dir():
                raise PovmonError(f"数据库所在的文件夹不存在：{path.parent}；请先建立该文件夹或换一个 --db 地址。")
            if path.is_dir():
                raise PovmonError(f"--db {database} 是一个文件夹，不是数据库文件；"
                                  f"请写出文件名，例如 --db {path / 'povmon.db'}。")
            if not create and not path.exists():
                raise SchemaMissing(f"数据库文件 {path} 不存在（没有新建）；请检查 --db 路径，"
                                    f"或先运行 povmon db upgrade --db {path} 建立新的数据库。")
        busy = config.seconds(config.BUSY_TIMEOUT_ENV, DEFAULT_BUSY_SECONDS)
        kwargs.setdefault("connect_args", {}).setdefault("timeout", busy)
    else:
        connect_timeout = config.seconds(config.CONNECT_TIMEOUT_ENV, DEFAULT_CONNECT_SECONDS)
        kwargs.setdefault("connect_args", {}).setdefault("connect_timeout", max(1, round(connect_timeout)))
    try:
        engine = create_engine(parsed, **kwargs)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise PovmonError(f"不支持的数据库驱动：{parsed.drivername}；请使用 sqlite 或 postgresql。") from exc
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        busy = config.seconds(config.BUSY_TIMEOUT_ENV, DEFAULT_BUSY_SECONDS)
        cursor.execute(f"PRAGMA busy_timeout={int(busy * 1000)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A unit of work that will write takes the write lock at BEGIN: it then waits its turn (busy_timeout)
        # behind another writer. A deferred transaction that has read cannot wait — SQLite refuses at once
        # (SQLITE_BUSY), whatever the timeout — so writers say so up front (``writing``).
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITES) else "BEGIN")


WRITES = "povmon_writes"


def writing(engine: Engine) -> Engine:
    """The engine for a unit of work that writes: on SQLite its transaction takes the write lock at BEGIN."""
    return engine.execution_options(**{WRITES: True})


def session_factory(engine: Engine, *, writes: bool = False) -> sessionmaker[Session]:
    """A sessionmaker whose objects stay readable after commit (reports render after the unit of work)."""
    return sessionmaker(bind=writing(engine) if writes else engine, expire_on_commit=False)


def migrations_dir() -> Path:
    """The Alembic scripts: inside the installed package, or alembic/ at the root of a checkout."""
    packaged = resources.files("povmon") / "alembic"
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / "alembic"
    if checkout.is_dir():
        return checkout
    raise PovmonError("找不到数据库迁移脚本；请重新安装 povmon（pip install .）。")


def alembic_config(engine: Engine):
    """An Alembic Config that needs no alembic.ini and runs on the given engine."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision(engine: Engine) -> str:
    """The newest migration the code knows."""
    chain = _script_chain()
    if chain is not None:
        return chain[1]
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


_HEADER = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+?)\s*$", re.MULTILINE)
_QUOTED = re.compile(r"""^(?:None|(['"])([\w-]+)\1)$""")


@functools.cache
def _script_chain() -> tuple[frozenset[str], str] | None:
    """(every revision, the one head) read from the migration files' headers, without importing Alembic.

    Every command checks the schema; importing Alembic for it cost a short command a third of its start-up
    (issue 18). Anything but a plain chain (a merge, two heads, a header written differently) returns None, and
    Alembic itself is asked; ``tests/test_cli_startup.py`` checks that both agree."""
    try:
        versions = migrations_dir() / "versions"
        texts = [path.read_text(encoding="utf-8") for path in sorted(versions.glob("*.py"))]
    except (OSError, PovmonError):
        return None
    down_of: dict[str, str | None] = {}
    for text in texts:
        header = dict((key, value) for key, value in _HEADER.findall(text))
        if set(header) != {"revision", "down_revision"}:
            return None
        values = [_QUOTED.match(header[key]) for key in ("revision", "down_revision")]
        if values[0] is None or values[0][2] is None or values[1] is None or values[0][2] in down_of:
            return None
        down_of[values[0][2]] = values[1][2]
    heads = set(down_of) - {down for down in down_of.values() if down is not None}
    if len(heads) != 1 or any(down is not None and down not in down_of for down in down_of.values()):
        return None
    return frozenset(down_of), heads.pop()


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None when it has no povmon tables.

    Read from Alembic's version table directly (what Alembic's MigrationContext reads), so that a short command
    does not import Alembic; a database at two heads at once is left to Alembic to report."""
    with connect(engine) as conn:
        if not conn.dialect.has_table(conn, "alembic_version"):
            return None
        stored = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
        if len(stored) <= 1:
            return stored[0] if stored else None
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to the given revision (default: head); a new SQLite file is created owner-only.

    On PostgreSQL the login roles' grants and row-level security policies are installed afterwards (pgaccess)."""
    from alembic import command

    path = sqlite_path(engine)
    if path is not None:
        files.create_private(path)  # before SQLite creates it 0644: the register holds every ID number
    refuse_newer(engine)  # also fails early, in the user's terms, when the server cannot be reached
    command.upgrade(alembic_config(engine), revision)
    if engine.dialect.name == "postgresql":
        from povmon import pgaccess

        # Every upgrade re-installs the roles' grants and policies: a table a later migration adds gets its own
        # from pgaccess's tables, not from a migration frozen before it existed (issue 17).
        with engine.begin() as conn:
            pgaccess.install(conn)


def known_revisions(engine: Engine) -> set[str]:
    """Every migration this povmon knows."""
    chain = _script_chain()
    if chain is not None:
        return set(chain[0])
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(alembic_config(engine)).walk_revisions()}


def refuse_newer(engine: Engine) -> str | None:
    """The database's revision; a revision this povmon does not know (a newer povmon's) is refused."""
    current = current_revision(engine)
    if current is not None and current not in known_revisions(engine):
        raise SchemaMissing(
            f"数据库 {describe(engine)} 的结构版本 {current} 比本程序新（本程序最高为 {head_revision(engine)}），"
            "是更新版本的 povmon 建立或升级的；请把 povmon 升级到同样的版本再用（pip install -U povmon）。"
        )
    return current


def sqlite_path(engine: Engine) -> Path | None:
    """The file of a SQLite engine (None for PostgreSQL or an in-memory database)."""
    return config.sqlite_file(engine.url.render_as_string(hide_password=False))


def ensure_schema(engine: Engine) -> None:
    """Refuse to work on a database that is missing povmon's tables or is behind the code."""
    where = describe(engine)
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database not in (None, "", ":memory:") and not Path(database).exists():
        raise SchemaMissing(f"数据库文件 {database} 不存在；请先运行 povmon db upgrade --db {where} 建立。")
    current = refuse_newer(engine)
    head = head_revision(engine)
    if current is None:
        raise SchemaMissing(f"数据库 {where} 里还没有 povmon 的表；请先运行 povmon db upgrade --db {where} 建立。")
    if current != head:
        raise SchemaMissing(
            f"数据库 {where} 的结构版本是 {current}，程序需要 {head}；请运行 povmon db upgrade --db {where} 升级。"
        )


def describe(engine: Engine) -> str:
    """The database URL as a user may see it (no password)."""
    return engine.url.render_as_string(hide_password=True)


@contextmanager
def connect(engine: Engine) -> Iterator:
    """A connection, with an unreachable server turned into one clear sentence."""
    try:
        conn = engine.connect()
    except DBAPIError as exc:
        raise explain(exc, engine) from exc
    try:
        yield conn
    finally:
        conn.close()


def explain(exc: DBAPIError, engine: Engine | None = None) -> PovmonError:
    """A database failure as one sentence in the user's terms: what is wrong with --db and what to do."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc).splitlines()[0]
    lowered = reason.lower()
    where = describe(engine) if engine is not None else "--db"
    path = sqlite_path(engine) if engine is not None else None
    if "file is not a database" in lowered or "database disk image is malformed" in lowered:
        return PovmonError(f"{path or where} 不是 povmon 的 SQLite 数据库（可能是别的文件，例如 Excel 工作簿，"
                           "或已损坏）；请用 --db 指向数据库文件，或用 povmon db restore 从备份恢复。")
    if "readonly database" in lowered or "read-only" in lowered:
        return PovmonError(f"数据库文件 {path or where} 是只读的（或它所在的文件夹不可写），无法写入；"
                           "请检查文件和文件夹的权限，或复制到可写的位置再用。")
    if "database is locked" in lowered or "database is busy" in lowered or "database table is locked" in lowered:
        waited = config.seconds(config.BUSY_TIMEOUT_ENV, DEFAULT_BUSY_SECONDS)
        holders = holders_of(path) if path is not None else []
        who = "、".join(holders) if holders else "另一个程序（例如另一个 povmon 导入或录入）"
        return PovmonError(f"数据库 {path or where} 正被{who}写入，等了 {waited:g} 秒仍未结束；"
                           "请等它完成后重试（本次没有改动数据库）。")
    if "unable to open database file" in lowered:
        return PovmonError(f"无法打开数据库文件 {path or where}（路径不对或没有权限）；请检查 --db 路径和文件权限。")
    if "password authentication failed" in lowered or ("role" in lowered and "does not exist" in lowered) \
            or "no password supplied" in lowered or "authentication failed" in lowered:
        user = engine.url.username if engine is not None else None
        return PovmonError(f"数据库服务器拒绝了{f'用户 {user} ' if user else ''}的登录（用户名或密码不对）；"
                           "请检查 --db 地址里的用户名和密码。")
    if "database" in lowered and "does not exist" in lowered:
        name = engine.url.database if engine is not None else ""
        return PovmonError(f"服务器上没有数据库 {name}；请先建立它（例如 createdb {name}），"
                           "再运行 povmon db upgrade。")
    if engine is not None and engine.dialect.name == "postgresql" and (
            "connection" in lowered or "timeout" in lowered or "could not" in lowered or "server" in lowered):
        host = f"{engine.url.host or 'localhost'}:{engine.url.port or 5432}"
        return PovmonError(f"无法连接数据库服务器 {host}，它没有应答（{reason[:160]}）；请确认 PostgreSQL 服务已启动，"
                           "--db 地址中的服务器和端口正确。")
    if "nul" in lowered and ("0x00" in lowered or "character" in lowered):
        return PovmonError("文字中含有不可见的空字符（NUL），数据库不能保存；请删去该字符后重试。")
    return PovmonError(f"数据库操作失败（{reason[:200]}）；请稍后重试，仍然失败时请把这句话告诉维护人员。")


def holders_of(path: Path) -> list[str]:
    """The other processes that have a SQLite file open (Linux /proc), as "povmon import 花名册.xlsx（进程 123）"."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    names = {str(path), str(path) + "-wal", str(path) + "-journal"}
    found = []
    me = os.getpid()
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            if not any(os.readlink(fd) in names for fd in (entry / "fd").iterdir()):
                continue
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [a.decode("utf-8", "replace") for a in argv if a]
        shown = _command_of(words)
        found.append(f"{shown}（进程 {entry.name}）")
    return found[:3]


def _command_of(argv: list[str]) -> str:
    """"povmon import x.xlsx" for a povmon process however it was started, else the program and its arguments."""
    for i, word in enumerate(argv):
        if Path(word).name == "povmon" or word == "povmon.cli" or word.endswith("/povmon"):
            return " ".join(["povmon", *argv[i + 1:i + 4]])
    return " ".join(Path(w).name if i == 0 else w for i, w in enumerate(argv[:4]))
