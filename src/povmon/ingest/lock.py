"""Stage 0 of an import: wait for any other import of the register to finish, before reading the register.

Two imports of the same file a moment apart must not both plan from a register neither has changed yet: the
second would insert what the first just inserted. So an import takes a lock before its lookup stage and holds it
until its transaction ends (commit or rollback): on PostgreSQL a transaction-level advisory lock, on SQLite the
database's write lock (the transaction begins with BEGIN IMMEDIATE). The second import waits its turn
(up to the POVMON_BUSY_TIMEOUT setting), then reads the register as the first left it; past the wait it
says, in one sentence, that another import is running (``ImportBusy``), never a database traceback.
"""

from __future__ import annotations

import warnings

from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError, SAWarning
from sqlalchemy.orm import Session

from povmon import config
from povmon.db import DEFAULT_BUSY_SECONDS, WRITES
from povmon.errors import PovmonError

IMPORT_LOCK_KEY = 0x706F766D_696D7074 & 0x7FFFFFFFFFFFFFFF  # "povm" "impt": one key for every import


def wait_seconds() -> float:
    """How long an import waits for another one: the SQLite busy timeout setting (POVMON_BUSY_TIMEOUT)."""
    return config.seconds(config.BUSY_TIMEOUT_ENV, DEFAULT_BUSY_SECONDS)


class ImportBusy(PovmonError):
    """Another import (or another writer) held the register longer than an import waits."""

    def __init__(self) -> None:
        super().__init__(f"另一个导入正在写入这个数据库，等了 {wait_seconds():g} 秒仍未结束；"
                         "数据库没有改动，请等它完成后再导入。")


def is_busy(exc: OperationalError) -> bool:
    """Whether a database error says the lock could not be had in time (SQLite busy, PostgreSQL lock timeout)."""
    orig = exc.orig
    return "database is locked" in str(orig) or getattr(orig, "sqlstate", None) == "55P03"


def take(session: Session) -> None:
    """Hold the import lock until the session's transaction ends (see the module docstring)."""
    name = session.get_bind().dialect.name
    try:
        if name == "sqlite":
            with warnings.catch_warnings():
                # a caller who already used the session has begun its transaction: nothing more to ask for
                warnings.simplefilter("ignore", SAWarning)
                session.connection(execution_options={WRITES: True})
        elif name == "postgresql":
            old = session.execute(text("SELECT current_setting('lock_timeout')")).scalar_one()
            session.execute(select(func.set_config("lock_timeout", f"{round(wait_seconds() * 1000)}ms", True)))
            session.execute(select(func.pg_advisory_xact_lock(IMPORT_LOCK_KEY)))
            session.execute(select(func.set_config("lock_timeout", old, True)))
    except OperationalError as exc:
        if is_busy(exc):
            raise ImportBusy() from exc
        raise
