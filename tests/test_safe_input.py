"""Issue 10: what comes in — files that would crash or exhaust the reader, mislabelled files, control characters,
dates that have not come, a county's line file, long values (items 6, 11, 12, 14, 15, 20, 21)."""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from povmon import console, xlsx
from povmon.cli import app
from povmon.models import Area, Household
from povmon.rules import parse
from povmon.rules.text import clean_text, fold
from povmon.services import areas

from . import hostile
from . import ledger_register as reg
from . import workbooks as wb
from .workbooks import ROSTER_HEADERS

runner = CliRunner()
MEMORY = 2 << 30  # an import never uses more than about 2 GB, whatever the file


def invoke(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def roster(path: Path, *households: list[list]) -> Path:
    return wb.write(path, {"花名册": [ROSTER_HEADERS, *(row for h in households for row in h)]})


def limited(args: list[str], env: dict | None = None, memory: int = MEMORY) -> subprocess.CompletedProcess:
    """povmon in a process that may not map more than ``memory`` bytes (ulimit -v)."""

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run([sys.executable, "-m", "povmon", *args], capture_output=True, text=True, timeout=300,
                          preexec_fn=cap, env={**os.environ, **(env or {})})


# --- items 14 and 20: what a file may expand to ------------------------------------------------------------------

def test_a_stray_value_in_the_last_cell_imports_under_2_gb(cli_db, tmp_path):
    path = roster(tmp_path / "花名册.xlsx", wb.household("1411221040010001", 3))
    book = load_workbook(path)
    book.active["XFD1048576"] = "x"  # someone typed in the last cell: 549 GB for a dense read
    book.save(path)
    assert path.stat().st_size < 10_000
    done = limited(["import", str(path), "--create-areas", "--as-of", "2019-01-31", "--json", "--db", cli_db])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["counts"]["members"]["created"] == 3


def test_whole_column_formatting_and_far_styled_cells_are_not_data(tmp_path):
    from povmon.ingest.read import read_book

    rows = [hostile.row_xml(1, ROSTER_HEADERS), *(hostile.row_xml(r + 2, row)
                                                   for r, row in enumerate(wb.household("1411221040010001", 2)))]
    rows += [f'<row r="{r}" s="1" customFormat="1"/>' for r in range(10, 200_000)]  # formatted empty rows
    rows.append('<row r="1048576"><c r="XFD1048576" s="1"/></row>')  # a styled cell holding nothing
    book = read_book(hostile.write(tmp_path / "格式.xlsx", rows))
    [sheet] = book.sheets
    assert len(sheet.rows) == 3 and sheet.width == len(ROSTER_HEADERS)


def test_a_shared_strings_zip_bomb_is_refused_under_2_gb(cli_db, tmp_path):
    bomb = hostile.write(tmp_path / "bomb.xlsx", [hostile.row_xml(1, ROSTER_HEADERS)],
                         shared_strings=hostile.repeated(b"<si><t>" + b"A" * 1000 + b"</t></si>", 300 << 20), level=9)
    assert bomb.stat().st_size < 2 << 20  # a small file …
    done = limited(["import", str(bomb), "--db", cli_db], env={"POVMON_MAX_UNCOMPRESSED_MB": "100"})
    assert done.returncode == 1, done.stderr  # … refused before it expands, not aborted (rc 134) or killed
    assert "解压后有 304 MB，超过上限 100 MB" in done.stderr and "Traceback" not in done.stderr
    # the same bomb whose zip headers declare a small size: counted as it decompresses, never believed
    liar = tmp_path / "liar.xlsx"
    liar.write_bytes(_declare_small(bomb.read_bytes(), b"xl/sharedStrings.xml"))
    lied = limited(["import", str(liar), "--db", cli_db], env={"POVMON_MAX_UNCOMPRESSED_MB": "100"})
    assert lied.returncode == 1 and "Traceback" not in lied.stderr, lied.stderr
    assert "无法读取 liar.xlsx" in lied.stderr and "已损坏" in lied.stderr


def _declare_small(data: bytes, name: bytes) -> bytes:
    """The zip with the central directory's uncompressed size of one part set to 1,000 bytes."""
    import struct

    out = bytearray(data)
    position, patched = 0, 0
    while (position := data.find(b"PK\x01\x02", position)) != -1:
        length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46:position + 46 + length] == name:
            struct.pack_into("<I", out, position + 24, 1000)
            patched += 1
        position += 4
    assert patched == 1
    return bytes(out)


def test_too_many_shared_strings_are_refused(tmp_path):
    from povmon.ingest.read import read_book

    path = hostile.write(tmp_path / "s.xlsx", [hostile.row_xml(1, ["户编号"])],
                         shared_strings=hostile.repeated(b"<si><t>x</t></si>", 3 << 20))
    os.environ["POVMON_MAX_STRINGS"] = "100000"
    try:
        with pytest.raises(Exception, match="共享字符串超过 100,000 个"):
            read_book(path)
    finally:
        del os.environ["POVMON_MAX_STRINGS"]


def test_a_cell_longer_than_excel_allows_is_refused_naming_it(cli_db, tmp_path):
    giant = "户" * 2_000_000  # 6 MB of text in one cell; Excel stops at 32,767 characters
    rows = [hostile.row_xml(1, ROSTER_HEADERS), hostile.row_xml(2, ["1411221040010001", "会立乡", giant])]
    path = hostile.write(tmp_path / "长.xlsx", rows)
    done = limited(["import", str(path), "--db", cli_db])
    assert done.returncode == 1, done.stderr
    assert "「花名册」单元格" in done.stderr and "32,767 个字" in done.stderr
    assert len(done.stderr) < 1000


def test_a_sheet_past_the_cell_limit_is_refused_naming_sheet_and_cell(cli_db, tmp_path):
    rows = [hostile.row_xml(1, ROSTER_HEADERS)]
    rows += (hostile.row_xml(r, ["1411221040010001", "会立乡", "岔口村", "某人"]) for r in range(2, 60_002))
    path = hostile.write(tmp_path / "行.xlsx", rows)
    done = limited(["import", str(path), "--db", cli_db], env={"POVMON_MAX_CELLS": "100000"})
    assert done.returncode == 1, done.stderr
    assert "「花名册」到单元格" in done.stderr and "超过上限 100,000" in done.stderr


def test_a_file_over_the_size_limit_is_refused(tmp_path, cli_db):
    path = roster(tmp_path / "大.xlsx", wb.household("1411221040010001", 2))
    result = invoke("import", path, "--db", cli_db, env={"POVMON_MAX_FILE_MB": "1"})
    assert result.exit_code == 0 or "超过上限" not in result.stderr  # a small file passes a 1 MB limit
    big = tmp_path / "大2.xlsx"
    big.write_bytes(path.read_bytes() + b"\0" * (2 << 20))
    refused = invoke("import", big, "--db", cli_db, env={"POVMON_MAX_FILE_MB": "1"})
    assert refused.exit_code == 1 and "超过上限 1 MB" in refused.stderr


def test_a_huge_merge_fills_no_more_than_the_sheet(tmp_path):
    from povmon.ingest.read import read_book

    rows = [["标题"], ["户编号", "姓名"], ["1", "张三"]]
    path = wb.write(tmp_path / "m.xlsx", {"S": rows}, merges={"S": ["A1:XFD1"]})
    book = load_workbook(path)
    book["S"].merge_cells("A3:A1048576")
    book.save(path)
    [sheet] = read_book(path).sheets
    assert len(sheet.rows) == 3 and all(len(row) <= 2 for row in sheet.rows)


def test_echoed_values_are_cut_to_a_readable_length(cli_db, tmp_path):
    household = wb.household("1411221040010001", 2)
    household[1][4] = "1" * 32_767  # an ID cell of 32,767 characters
    path = roster(tmp_path / "长号.xlsx", household, wb.household("1411221040010002", 2))
    result = invoke("import", path, "--create-areas", "--as-of", "2019-01-31", "--db", cli_db)
    assert result.exit_code == 0, result.output
    assert "（共 32,767 字）" in result.stdout and len(result.stdout) < 10_000
    from povmon.rules.text import excerpt

    assert excerpt("张三") == "张三" and excerpt("户" * 100) == "户" * 50 + "…（共 100 字）"
    with pytest.raises(parse.ValueProblem) as problem:
        parse.amount("9" * 40_000 + "元元")
    assert len(problem.value.message) < 120


# --- item 6: a file says what it really is -------------------------------------------------------------------

@pytest.mark.parametrize("content,label", [
    ("<html><body><table><tr><td>户编号</td></tr></table></body></html>".encode(), "网页（HTML）"),
    (b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>', "Excel 2003 XML 表格"),
    ("户编号,姓名\n1411221040010001,张三\n".encode("gbk"), "CSV 或文本文件"),
    (b"%PDF-1.4 ...", "PDF 文件"),
    (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 200 + "EncryptedPackage".encode("utf-16-le"), "加了密码"),
], ids=["html", "xml2003", "csv", "pdf", "encrypted"])
def test_a_mislabelled_xls_says_what_it_really_is(content, label, cli_db, tmp_path):
    path = tmp_path / "花名册.xls"
    path.write_bytes(content)
    result = invoke("import", path, "--db", cli_db)
    assert result.exit_code == 1 and label in result.stderr, result.stderr
    assert "Cfb error" not in result.stderr and "Invalid OLE" not in result.stderr


def test_an_xlsx_saved_as_xls_is_read_as_what_it_is(cli_db, tmp_path):
    path = roster(tmp_path / "花名册.xlsx", wb.household("1411221040010001", 2))
    named = path.rename(tmp_path / "花名册.xls")
    result = invoke("import", named, "--create-areas", "--as-of", "2019-01-31", "--json", "--db", cli_db)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["members"]["created"] == 2


# --- item 15: control characters ------------------------------------------------------------------------------

def test_control_characters_are_cleaned_once_the_same_both_ways(cli_db, cli_session, tmp_path):
    assert clean_text("\x01ctl\x1b[31m村\x00") == "ctl[31m村" and fold("岔\x7f口村") == "岔口村"
    assert parse.name("张\x0b三") == "张 三" or parse.name("张\x0b三") == "张三"
    assert clean_text("第一行\n第二行") == "第一行 第二行"  # line breaks are whitespace, as before
    typed = invoke("area", "add", "\x01ctl村", "--level", "县", "--db", cli_db)
    assert typed.exit_code == 0, typed.output
    bad = wb.household("1411221040010002", 2, village="PLACEHOLDER")
    bad[1][4] = "14232319800101123"  # rejected: the error workbook copies its raw cells, controls included
    path = roster(tmp_path / "r.xlsx", wb.household("1411221040010001", 2, village="PLACEHOLDER"), bad)
    _patch(path, b"PLACEHOLDER", b"_x0001_\xe5\xb2\x94_x001B_\xe5\x8f\xa3\xe6\x9d\x91_x0000_")  # 岔口村 with controls
    errors = tmp_path / "错误.xlsx"
    imported = invoke("import", path, "--create-areas", "--as-of", "2019-01-31", "--json", "--errors", errors,
                      "--db", cli_db)
    assert imported.exit_code == 0, imported.output
    book = load_workbook(errors)  # written, and Excel can open it: no control character on any sheet
    assert "\x01" not in str(book.worksheets[1]["C2"].value)
    assert not any("\x01" in str(c.value) for ws in book for row in ws.iter_rows() for c in row)
    cli_session.expire_all()
    names = set(cli_session.scalars(select(Area.name)))
    assert {"ctl村", "岔口村"} <= names and not any(any(ord(ch) < 32 for ch in n) for n in names)


def _patch(path: Path, old: bytes, new: bytes) -> None:
    import zipfile

    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            target.writestr(info, data.replace(old, new))


def test_a_nul_never_reaches_the_database(session):
    [area] = areas.add(session, name="a\x00b县", level="county", user="t").stored
    session.flush()
    assert area.name == "ab县"  # PostgreSQL refuses NUL in text: it is gone before the INSERT


def test_writers_are_safe_for_what_is_already_stored(cli_db, cli_session, tmp_path):
    objs = reg.build(cli_session)
    village = cli_session.scalar(select(Area).where(Area.level == "village").limit(1))
    village.name = "\x01ctl村"  # stored before text was cleaned
    head = cli_session.scalar(select(Household).where(Household.code == reg.A_CODE))
    assert head is not None and objs is not None
    cli_session.commit()
    month = invoke("report", "monthly", "--month", "2019-12", "-o", tmp_path / "月报.xlsx", "--db", cli_db)
    assert month.exit_code == 0, month.output
    load_workbook(tmp_path / "月报.xlsx")
    ledger = invoke("ledger", "--village", "\x01ctl村", "--as-of", "2019-12-31", "-o", tmp_path / "账.xlsx",
                    "--db", cli_db)
    assert ledger.exit_code == 0, ledger.output
    assert all("\x01" not in name for name in load_workbook(tmp_path / "账.xlsx").sheetnames)
    assert xlsx.safe_text("a\x01b\x1bc\ud800") == "abc" and xlsx.sheet_title("\x01村[1]") == "村_1_"


def test_the_terminal_never_gets_a_raw_escape(cli_db, cli_session):
    reg.build(cli_session)
    cli_session.scalar(select(Household).where(Household.code == reg.A_CODE)).group_name = "\x1b]0;pwned\x07组"
    village = cli_session.scalar(select(Area).where(Area.level == "village").limit(1))
    village.name = "\x1b[2J村"
    cli_session.commit()
    listed = invoke("household", "list", "--as-of", "2019-12-31", "--db", cli_db)
    assert listed.exit_code == 0, listed.output
    assert "\x1b" not in listed.output and "\\x1b[2J村" in listed.stdout
    assert console.printable("a\x1b[31mb\rc") == "a\\x1b[31mb\\x0dc"
    typed = invoke("report", "monthly", "--month", "\x1b[2J", "--db", cli_db)  # a bad command line quotes it
    assert typed.exit_code == 2 and "\x1b" not in typed.output and "\\x1b[2J" in typed.output


# --- item 11: no figures for a time that has not come ---------------------------------------------------------

def test_a_month_not_begun_and_a_date_after_today_are_refused(cli_db, cli_session):
    reg.build(cli_session)
    cli_session.commit()
    today = dt.date.today()
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).strftime("%Y-%m")
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    for args in (("report", "monthly", "--month", next_month), ("report", "monthly", "--month", "2999-01", "--json"),
                 ("ledger", reg.A_CODE, "--as-of", tomorrow), ("household", "show", reg.A_CODE, "--as-of", tomorrow),
                 ("household", "list", "--as-of", tomorrow)):
        result = invoke(*args, "--db", cli_db)
        assert result.exit_code == 1, (args, result.output)
        assert "还没有开始" in result.stderr or "晚于今天" in result.stderr
        assert result.stdout == ""
    assert invoke("report", "monthly", "--month", today.strftime("%Y-%m"), "--db", cli_db).exit_code == 0


# --- item 12: a county's own line file ------------------------------------------------------------------------

def test_lines_load_takes_chinese_headers_and_list_shows_chinese(cli_db, tmp_path):
    csv = tmp_path / "山西标准.csv"
    csv.write_text("年度,地区,类别,标准（元）,说明\n2021,山西省,监测线,\"6,000\",省定\n2022,全国,贫困线,4300元,\n",
                   encoding="utf-8-sig")
    loaded = invoke("lines", "load", csv, "--db", cli_db)
    assert loaded.exit_code == 0, loaded.output
    listed = invoke("lines", "list", "--db", cli_db, env={"COLUMNS": "200"})
    assert "山西省" in listed.stdout and "6000.00" in listed.stdout and "监测线" in listed.stdout
    assert "national" not in listed.stdout and "poverty" not in listed.stdout and "全国" in listed.stdout
    data = json.loads(invoke("lines", "list", "--json", "--db", cli_db).stdout)
    assert {"year": 2022, "region": "national", "kind": "poverty", "yuan": "4300.00", "note": None} in data


# --- item 21: the smaller ones --------------------------------------------------------------------------------

def test_a_name_pattern_of_100k_characters_is_one_sentence_not_about_db(cli_db):
    result = invoke("household", "list", "--name", "张" * 100_000, "--db", cli_db)
    assert result.exit_code == 1 and "姓名最多" in result.stderr and "--db" not in result.stderr
    assert len(result.stderr) < 300


def test_a_value_starting_with_a_minus_can_be_set(cli_db, cli_session):
    reg.build(cli_session)
    cli_session.commit()
    for args in (("note", "--", "-1+1"), ("note", "-1+1")):
        result = invoke("household", "edit", reg.A_CODE, *args, "--db", cli_db) if args[1] != "--" else \
            invoke("household", "edit", "--db", cli_db, reg.A_CODE, *args)
        assert result.exit_code == 0, result.output
    cli_session.expire_all()
    assert cli_session.scalar(select(Household.note).where(Household.code == reg.A_CODE)) == "-1+1"
