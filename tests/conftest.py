"""Test fixtures: the schema is migrated once per run; each test runs in a transaction rolled back at the end.

Tests run on SQLite always, and on PostgreSQL when POVMON_TEST_DATABASE_URL names a database
(its name must contain "test": the fixtures drop and recreate its tables).
CLI tests get a fresh database of their own, copied from a migrated template (fast on both).
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from povmon.config import normalize_url
from povmon.db import make_engine, upgrade

TEST_URL = os.environ.get("POVMON_TEST_DATABASE_URL")

# One fixed county key for the whole run, set before any test (povmon.crypto reads it at its first use, in this
# process and in the povmon processes tests start): ID numbers and phones are encrypted at rest. Tests of a missing
# or wrong key set their own environment and call crypto.reset().
TEST_KEY = "cG92bW9uLXRlc3QtY291bnR5LWtleS0zMi1ieXRlcyE"
os.environ.setdefault("POVMON_KEY", TEST_KEY)


def _is_pg() -> bool:
    return bool(TEST_URL) and normalize_url(TEST_URL).startswith("postgresql")


def _admin_engine(url: str) -> Engine:
    return make_engine(make_url(url).set(database="postgres").render_as_string(hide_password=False),
                       isolation_level="AUTOCOMMIT")


def _recreate_pg_database(url: str, name: str, template: str | None = None) -> str:
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The migrated test database's URL (SQLite file, or the PostgreSQL database named by the environment)."""
    if TEST_URL:
        url = normalize_url(TEST_URL)
        name = make_url(url).database or ""
        if "test" not in name and not url.startswith("sqlite"):
            pytest.exit(f"POVMON_TEST_DATABASE_URL must name a database whose name contains 'test' (got {name!r})")
        if url.startswith("postgresql"):
            url = _recreate_pg_database(url, name)
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def engine(database_url) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test (nothing persists)."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture(scope="session")
def _cli_template(database_url, tmp_path_factory) -> str:
    """A migrated, empty database to copy for each CLI test."""
    if _is_pg():
        base = make_url(database_url).database
        url = _recreate_pg_database(database_url, f"{base}_tmpl")
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url
    path = tmp_path_factory.mktemp("tmpl") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return f"sqlite:///{path}"


_counter = itertools.count()


@pytest.fixture
def cli_db(_cli_template, tmp_path) -> Iterator[str]:
    """A fresh migrated database for a test that runs commands (they commit); its URL for --db."""
    if _is_pg():
        template = make_url(_cli_template).database
        name = f"{template[:-5]}_cli{os.getpid()}_{next(_counter)}"
        url = _recreate_pg_database(_cli_template, name, template=template)
        yield url
        admin = _admin_engine(_cli_template)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        source = Path(make_url(_cli_template).database)
        target = tmp_path / "cli.db"
        shutil.copyfile(source, target)
        yield f"sqlite:///{target}"


@pytest.fixture
def cli_session(cli_db) -> Iterator[Session]:
    """A session on the CLI test's database, to set up data (commit it) or check what a command stored."""
    engine = make_engine(cli_db)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()
