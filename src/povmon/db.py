"""Engine, sessions and migrations.

SQLite gets foreign keys, WAL and a busy timeout, and real transactions: pysqlite's own implicit
BEGIN is switched off and SQLAlchemy emits BEGIN itself, so savepoints and transactional DDL work
(see the SQLAlchemy SQLite dialect notes on "Serializable isolation / Savepoints / Transactional DDL").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from povmon.errors import PovmonError, SchemaMissing


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine with povmon's connection settings for SQLite or PostgreSQL."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise PovmonError(f"数据库地址无法识别：{url}（例：sqlite:///povmon.db 或 postgresql://user@host/db）") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            folder = Path(database).expanduser().resolve().parent
            if not folder.is_dir():
                raise PovmonError(f"数据库所在的文件夹不存在：{folder}；请先建立该文件夹或换一个 --db 地址。")
        kwargs.setdefault("connect_args", {}).setdefault("timeout", 30)
    try:
        engine = create_engine(parsed, **kwargs)
    except NoSuchModuleError as exc:
        raise PovmonError(f"不支持的数据库类型：{parsed.drivername}；请使用 sqlite 或 postgresql。") from exc
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
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A sessionmaker whose objects stay readable after commit (reports render after the unit of work)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


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
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None when it has no povmon tables."""
    from alembic.runtime.migration import MigrationContext

    with connect(engine) as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to the given revision (default: head)."""
    from alembic import command

    with connect(engine):
        pass  # fail early, in the user's terms, when the server cannot be reached
    command.upgrade(alembic_config(engine), revision)


def ensure_schema(engine: Engine) -> None:
    """Refuse to work on a database that is missing povmon's tables or is behind the code."""
    where = describe(engine)
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database not in (None, "", ":memory:") and not Path(database).exists():
        raise SchemaMissing(f"数据库文件 {database} 不存在；请先运行 povmon db upgrade --db {where} 建立。")
    current = current_revision(engine)
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
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise PovmonError(f"无法连接数据库 {describe(engine)}：{reason}；请检查 --db 地址和数据库服务。") from exc
    try:
        yield conn
    finally:
        conn.close()
