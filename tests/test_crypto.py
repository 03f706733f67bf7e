"""ID numbers and phones encrypted at rest (issue 17 item 5): a copied database file does not hand them out, look-ups
by ID number still work, and the county key missing or wrong is one sentence."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from povmon import crypto
from povmon.cli import app
from povmon.db import make_engine, upgrade
from povmon.demo import sample_files
from povmon.models import Cadre, CountyKey, DeptRow, Household, Member, PoliticalStatus
from povmon.sample_monitor import dept_files
from povmon.services import audit
from tests.conftest import TEST_URL, _admin_engine, _is_pg, _recreate_pg_database

runner = CliRunner()
SAMPLE = Path(sample_files()[0]).parent
ROSTER = SAMPLE / "02-会立乡-花名册.xlsx"
OTHER_KEY = crypto.encode_key(b"\x01" * 32)


@pytest.fixture
def fresh_key():
    """The key read again from the environment by the test and after it (the cached key is the process's)."""
    crypto.reset()
    yield
    crypto.reset()


def _invoke(*args: str):
    return runner.invoke(app, list(args))


def _import(db: str):
    result = _invoke("import", str(ROSTER), "--create-areas", "--json", "--db", db)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _medical_list() -> Path:
    return next(path for path, dept in dept_files() if dept == "医保")


def _clear_values(db: str) -> tuple[set[str], set[str]]:
    engine = make_engine(db)
    with Session(engine) as session:
        ids = set(session.scalars(select(Member.id_number))) | set(session.scalars(select(Cadre.id_number))) \
            | set(session.scalars(select(DeptRow.id_number))) | set(session.scalars(select(PoliticalStatus.id_number)))
        phones = {p for model in (Member, Household, Cadre) for p in session.scalars(select(model.phone)) if p}
    engine.dispose()
    return ids, phones


@pytest.mark.skipif(_is_pg(), reason="the bytes of a SQLite file; the PostgreSQL pass checks the columns below")
def test_a_copied_database_file_holds_no_id_number_or_phone_in_clear(cli_db):
    _import(cli_db)
    dept = _invoke("monitor", "import-dept", str(_medical_list()), "--dept", "医保", "--as-of", "2019-03-31",
                   "--json", "--db", cli_db)
    assert dept.exit_code == 0, dept.output
    ids, phones = _clear_values(cli_db)
    assert len(ids) > 100 and len(phones) > 10
    path = Path(make_url(cli_db).database)
    data = path.read_bytes() + (path.with_name(path.name + "-wal").read_bytes()
                                if path.with_name(path.name + "-wal").exists() else b"")
    in_file = {m.decode() for pattern in (rb"\d{17}[\dX]", rb"\d{11}") for m in re.findall(pattern, data)}
    assert not in_file & (ids | phones)
    # and no column of any table holds one either (the audit log, JSON cells, notes, keys …)
    secrets = ids | phones
    connection = sqlite3.connect(path)
    tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for row in connection.execute(f'SELECT * FROM "{table}"'):
            for value in row:
                if isinstance(value, str) and len(value) >= 11:
                    windows = {value[i:i + n] for n in (11, 18) for i in range(len(value) - n + 1)}
                    assert not windows & secrets, (table, value)
    connection.close()


def test_every_id_and_phone_column_holds_ciphertext_and_the_ids_keyed_hashes(cli_db):
    _import(cli_db)
    engine = make_engine(cli_db)
    seen = {}
    with engine.connect() as conn:
        for table, columns in {"member": ("id_number", "phone"), "household": ("phone",),
                               "cadre": ("id_number", "phone")}.items():
            for column in columns:
                values = [v for (v,) in conn.execute(text(f"SELECT {column} FROM {table}")) if v is not None]
                assert all(v.startswith("v1:") for v in values), (table, column)
                seen[table, column] = len(values)
        stored = conn.execute(text("SELECT id_number, id_hash FROM member")).first()
        assert len(stored.id_hash) == 64 and stored.id_hash not in stored.id_number
        fingerprints = conn.execute(select(CountyKey.fingerprint)).scalars().all()
    engine.dispose()
    assert seen["member", "id_number"] > 100 and seen["household", "phone"] > 10
    assert fingerprints == [crypto.fingerprint()]


def test_look_ups_by_id_number_still_work(cli_db):
    first = _import(cli_db)
    again = _import(cli_db)
    assert again["counts"]["members"]["created"] == 0
    assert again["counts"]["members"]["unchanged"] == first["counts"]["members"]["created"]
    engine = make_engine(cli_db)
    with Session(engine) as session:
        member = session.scalars(select(Member).where(Member.left_on.is_(None)).order_by(Member.id)).first()
        number, code = member.id_number, member.household.code
        assert session.scalar(select(Member.id).where(Member.id_number == number.lower())) == member.id
        assert session.scalar(select(Member.id).where(Member.id_number.in_([number, "x"]))) == member.id
    engine.dispose()
    found = _invoke("household", "list", "--id", number, "--db", cli_db)
    assert found.exit_code == 0, found.output
    assert code in found.stdout
    dept = _invoke("monitor", "import-dept", str(_medical_list()), "--dept", "医保", "--as-of", "2019-03-31",
                   "--json", "--db", cli_db)
    assert dept.exit_code == 0, dept.output
    rows = json.loads(dept.stdout)["counts"]["rows"]
    assert rows["matched"] > 0
    twice = _invoke("monitor", "import-dept", str(_medical_list()), "--dept", "医保", "--as-of", "2019-03-31",
                    "--json", "--db", cli_db)
    assert json.loads(twice.stdout)["counts"]["rows"]["unchanged"] == rows["matched"] + rows["not_in_register"]


def test_a_key_that_is_not_the_databases_is_refused(cli_db, monkeypatch, fresh_key):
    _import(cli_db)
    monkeypatch.setenv("POVMON_KEY", OTHER_KEY)
    crypto.reset()
    result = _invoke("import", str(ROSTER), "--create-areas", "--db", cli_db)
    assert result.exit_code == 1
    assert "这把密钥不是本库的" in result.stderr and "Traceback" not in result.output
    shown = _invoke("household", "list", "--db", cli_db)
    assert shown.exit_code == 1 and "这把密钥不是本库的" in shown.stderr
    checked = _invoke("key", "check", "--db", cli_db)
    assert checked.exit_code == 1 and "这把密钥不是本库的" in checked.stderr


def test_the_key_missing_is_one_sentence(cli_db, monkeypatch, tmp_path, fresh_key):
    monkeypatch.delenv("POVMON_KEY")
    monkeypatch.delenv("POVMON_KEY_FILE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    result = _invoke("import", str(ROSTER), "--create-areas", "--db", cli_db)
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert "没有找到县密钥" in message and "povmon key new" in message and "Traceback" not in result.output
    assert len(message.splitlines()) == 1
    monkeypatch.setenv("POVMON_KEY_FILE", str(tmp_path / "nowhere.key"))
    crypto.reset()
    named = _invoke("household", "add", "--help")  # help needs no key
    assert named.exit_code == 0
    (tmp_path / "bad.key").write_text("not a key\n")
    monkeypatch.setenv("POVMON_KEY_FILE", str(tmp_path / "bad.key"))
    crypto.reset()
    bad = _invoke("import", str(ROSTER), "--create-areas", "--db", cli_db)
    assert bad.exit_code == 1 and "格式不对" in bad.stderr


def test_key_new_writes_a_private_key_file_and_never_replaces_one(tmp_path, monkeypatch, fresh_key):
    path = tmp_path / "keys" / "county.key"
    made = _invoke("key", "new", str(path))
    assert made.exit_code == 0, made.output
    assert path.stat().st_mode & 0o777 == 0o600
    before = path.read_bytes()
    for extra in ([], ["--force"]):
        again = _invoke("key", "new", str(path), *extra)
        assert again.exit_code == 1 and "已经存在" in again.stderr
    assert path.read_bytes() == before
    monkeypatch.delenv("POVMON_KEY")
    monkeypatch.setenv("POVMON_KEY_FILE", str(path))
    crypto.reset()
    assert crypto.keys().source == str(path)


def test_a_fresh_database_has_no_fingerprint_until_data_is_written(cli_db, fresh_key):
    checked = _invoke("key", "check", "--db", cli_db)
    assert checked.exit_code == 0 and "还没有加密的数据" in checked.stdout
    _import(cli_db)
    checked = _invoke("key", "check", "--db", cli_db)
    assert checked.exit_code == 0 and "属于数据库" in checked.stdout


@pytest.fixture
def bare_db(tmp_path):
    """An empty database (no tables) of the backend under test."""
    if _is_pg():
        base = make_url(TEST_URL).database
        name = f"{base}_crypto{os.getpid()}"
        url = _recreate_pg_database(TEST_URL, name)
        yield url
        admin = _admin_engine(TEST_URL)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        yield f"sqlite:///{tmp_path / 'migrate.db'}"


CLEAR_ID = "14112219800101123X"
CLEAR_PHONE = "13800001234"


def _at_0008(url: str, *rows: str):
    """A database at 0008 (before encryption) with a village, a household whose phone is in clear, and ``rows``
    (more INSERTs); returns its engine."""
    engine = make_engine(url)
    upgrade(engine, "0008")
    with engine.begin() as conn:
        for statement in ("INSERT INTO area (id, level, name, code, created_at) "
        "VALUES (1, 'village', '东营村', '141122100001', '2019-01-01')",
                          "INSERT INTO household (id, code, village_id, phone, created_at) "
        f"VALUES (1, '1411221000010001', 1, '{CLEAR_PHONE}', '2019-01-01')", *rows):
            conn.execute(text(statement))
    return engine


def test_the_migration_encrypts_the_rows_of_a_database_at_0008(bare_db):
    engine = _at_0008(
        bare_db,
        "INSERT INTO member (id, household_id, name, id_number, relation, phone, created_at) "
        f"VALUES (1, 1, '张三', '{CLEAR_ID}', 'head', '13900001111', '2019-01-01')",
        "INSERT INTO cadre (id, name, id_number, role, phone, created_at) "
        "VALUES (1, '李四', '14232319750505123X', 'responsible', '13700001111', '2019-01-01')",
        "INSERT INTO political_status (id, id_number, status, since, created_at) "
        f"VALUES (1, '{CLEAR_ID}', 'member', '2010-01-01', '2019-01-01')",
        "INSERT INTO audit_log (id, at, \"user\", action, table_name, row_id, field, old_value, "
        f"new_value) VALUES (1, '2019-02-01', 'u', 'update', 'household', 1, 'phone', NULL, "
        f"'{CLEAR_PHONE}')",
    )
    upgrade(engine)
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT id_number, id_hash, phone FROM member")).one()
        assert raw.id_number.startswith("v1:") and raw.phone.startswith("v1:") and len(raw.id_hash) == 64
        assert conn.execute(text("SELECT phone FROM household")).scalar().startswith("v1:")
        assert conn.execute(text("SELECT new_value FROM audit_log")).scalar().startswith("v1:")
        assert conn.execute(select(CountyKey.fingerprint)).scalars().all() == [crypto.fingerprint()]
    with Session(engine) as session:
        member = session.scalar(select(Member).where(Member.id_number == CLEAR_ID))
        assert (member.name, member.phone, member.household.phone) == ("张三", "13900001111", CLEAR_PHONE)
        assert session.scalar(select(PoliticalStatus.status).where(PoliticalStatus.id_number == CLEAR_ID)) == "member"
        assert session.scalar(select(Cadre.phone).where(Cadre.id_number == "14232319750505123X")) == "13700001111"
    engine.dispose()
    result = _invoke("db", "check", "--db", bare_db)
    assert result.exit_code == 0, result.output


def test_an_empty_database_upgrades_without_a_key(bare_db, monkeypatch, tmp_path, fresh_key):
    monkeypatch.delenv("POVMON_KEY")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert _invoke("db", "upgrade", "--db", bare_db).exit_code == 0
    checked = _invoke("db", "check", "--db", bare_db)
    assert checked.exit_code == 0, checked.output
    assert crypto.loaded() is None


def test_rows_at_0008_without_a_key_are_one_sentence(bare_db, monkeypatch, tmp_path, fresh_key):
    engine = _at_0008(bare_db)
    engine.dispose()
    monkeypatch.delenv("POVMON_KEY")
    monkeypatch.setenv("HOME", str(tmp_path))
    result = _invoke("db", "upgrade", "--db", bare_db)
    assert result.exit_code == 1 and "没有找到县密钥" in result.stderr and "Traceback" not in result.output


def test_the_values_of_one_column_cannot_be_read_as_another(fresh_key):
    sealed = crypto.seal(CLEAR_ID, "id_number")
    assert crypto.unseal(sealed, "id_number") == CLEAR_ID
    assert sealed != crypto.seal(CLEAR_ID, "id_number")  # a fresh nonce each time
    with pytest.raises(crypto.WrongKey):
        crypto.unseal(sealed, "phone")
    assert crypto.id_hash(CLEAR_ID) == crypto.id_hash(" 14112219800101123x")


def test_the_audit_log_keeps_a_changed_phone_sealed(cli_db):
    _import(cli_db)
    engine = make_engine(cli_db)
    with Session(engine) as session:
        house = session.scalars(select(Household).where(Household.phone.is_not(None)).order_by(Household.id)).first()
        code, old = house.code, house.phone
    edited = _invoke("household", "edit", code, "phone", "13911112222", "--reason", "换号", "--db", cli_db)
    assert edited.exit_code == 0, edited.output
    with engine.connect() as conn:
        row = conn.execute(text("SELECT old_value, new_value FROM audit_log WHERE field = 'phone'")).one()
    engine.dispose()
    assert row.old_value.startswith("v1:") and row.new_value.startswith("v1:")
    assert (audit.shown("phone", row.old_value), audit.shown("phone", row.new_value)) == (old, "13911112222")
