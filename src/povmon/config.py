"""Where the database is and who is acting.

The database URL comes from ``--db``, else ``POVMON_DATABASE_URL``, else ``./povmon.db``.
The acting user (written to the audit log) comes from ``--user``, else ``POVMON_USER``, else the OS user.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

DB_ENV = "POVMON_DATABASE_URL"
USER_ENV = "POVMON_USER"
DEFAULT_DB_FILE = "povmon.db"
BUSY_TIMEOUT_ENV = "POVMON_BUSY_TIMEOUT"  # seconds a writer waits for another one on SQLite
CONNECT_TIMEOUT_ENV = "POVMON_CONNECT_TIMEOUT"  # seconds to wait for a PostgreSQL server to answer


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


def default_database_file() -> Path | None:
    """The SQLite file commands use when no --db is given (None when the default is a server)."""
    url = database_url(None)
    return sqlite_file(url)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for a server or an in-memory database)."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser().resolve()


def seconds(env: str, default: float) -> float:
    """A duration setting from the environment (seconds), the default when absent or unreadable."""
    raw = os.environ.get(env, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        return default
    return value if value >= 0 else default


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


@dataclass(frozen=True)
class ReadLimits:
    """How far one workbook may expand when read: a damaged or hostile file is refused, never followed.

    Each limit is a setting (environment variable, shown in brackets) with a default far above any real roster
    (the benchmark's 200,000-person roster has 6 million cells in 350 MB of sheet XML) and low enough that an
    import stays under about 2 GB of memory whatever the file.
    """

    file_bytes: int = 200 << 20  # the file on disk [POVMON_MAX_FILE_MB]
    uncompressed_bytes: int = 1 << 30  # what its parts expand to, all together [POVMON_MAX_UNCOMPRESSED_MB]
    cells: int = 10_000_000  # cells of one sheet read into memory [POVMON_MAX_CELLS]
    strings: int = 5_000_000  # shared strings of one workbook [POVMON_MAX_STRINGS]
    cell_chars: int = 32_767  # characters in one cell: Excel's own limit [POVMON_MAX_CELL_CHARS]


def read_limits() -> ReadLimits:
    """The reader's limits: the defaults, each overridden by its environment variable."""
    base = ReadLimits()

    def number(env: str, default: int, unit: int = 1) -> int:
        raw = os.environ.get(env, "").strip().replace("_", "")
        return int(raw) * unit if raw.isdigit() and int(raw) > 0 else default

    return ReadLimits(
        file_bytes=number("POVMON_MAX_FILE_MB", base.file_bytes, 1 << 20),
        uncompressed_bytes=number("POVMON_MAX_UNCOMPRESSED_MB", base.uncompressed_bytes, 1 << 20),
        cells=number("POVMON_MAX_CELLS", base.cells),
        strings=number("POVMON_MAX_STRINGS", base.strings),
        cell_chars=number("POVMON_MAX_CELL_CHARS", base.cell_chars),
    )
