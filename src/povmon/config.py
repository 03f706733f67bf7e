"""Where the database is and who is acting.

The database URL comes from ``--db``, else ``POVMON_DATABASE_URL``, else ``./povmon.db``.
The acting user (written to the audit log) comes from ``--user``, else ``POVMON_USER``, else the OS user.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

DB_ENV = "POVMON_DATABASE_URL"
USER_ENV = "POVMON_USER"
DEFAULT_DB_FILE = "povmon.db"


def database_url(cli_value: str | None = None) -> str:
    """Resolve the database URL (``--db`` > environment > ./povmon.db) into a SQLAlchemy URL."""
    raw = cli_value or os.environ.get(DB_ENV) or DEFAULT_DB_FILE
    return normalize_url(raw)


def normalize_url(raw: str) -> str:
    """Accept a SQLAlchemy URL, a plain ``postgresql://`` URL or a path to a SQLite file."""
    raw = raw.strip()
    if "://" not in raw:
        return "sqlite:///" + str(Path(raw).expanduser().resolve())
    if raw.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + raw.split("://", 1)[1]
    return raw


def acting_user(cli_value: str | None = None) -> str:
    """Who is acting: ``--user`` > POVMON_USER > the operating-system user."""
    if cli_value:
        return cli_value
    env = os.environ.get(USER_ENV)
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): still record something honest
        return "unknown"
