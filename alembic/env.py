"""Alembic environment for povmon: runs on the engine povmon hands over, or on POVMON_DATABASE_URL."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from povmon.config import database_url
from povmon.db import make_engine
from povmon.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("engine") is None:
    fileConfig(config.config_file_name)

target_metadata = Base.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or database_url()
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = config.attributes.get("engine") or make_engine(database_url(config.get_main_option("sqlalchemy.url")))
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table whose column changes (0010_encrypt_pii): dropping the old copy of a table
            # that others refer to fails with foreign keys on. SQLite's own recipe for the rebuild: foreign keys
            # off (outside any transaction, so on the bare connection), then foreign_key_check before the commit.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                if broken is not None:
                    raise RuntimeError(f"a migration left a broken reference in {broken[0]} (row {broken[1]})")
            conn.commit()
        finally:
            if sqlite:
                conn.rollback()
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
