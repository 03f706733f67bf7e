"""Before a workbook is read: what the file really is, and how far it would expand.

calamine reads a sheet into a dense range from its first to its last cell: one stray value typed at XFD1048576
makes that 16,384 × 1,048,576 cells (549 GB, and the process aborts), and it expands shared strings without
limit (a 1 MB zip bomb grows to gigabytes). So an .xlsx is scanned first, part by part and as it decompresses,
at the speed of zlib and a few byte searches (about 1 s for the 350 MB of XML of a 200,000-person roster):

- every part's real uncompressed size against ``ReadLimits.uncompressed_bytes`` (the sizes a zip declares can lie);
- each sheet's extent (its highest row and column) and its number of cells against ``ReadLimits.cells``;
- no single cell or shared string longer than ``ReadLimits.cell_chars`` would allow, nor more shared strings than
  ``ReadLimits.strings``.

A sheet whose extent is too large for a dense read but whose cells are few (a stray far-away cell, whole-column
formatting) is read sparsely by ``sparse_sheet``: only the rows and cells that hold something. Anything past a
limit is refused with one sentence naming the sheet and the cell. The limits are settings (``config.ReadLimits``).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from povmon.config import ReadLimits
from povmon.errors import PovmonError

CHUNK = 1 << 20
BLOCK = 1 << 16
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384

# What a file is, by its first bytes (never by its name), and how a clerk calls it.
LABELS = {
    "xlsx": "Excel 工作簿（.xlsx）", "xlsb": "Excel 二进制工作簿（.xlsb）", "xls": "Excel 97-2003 工作簿（.xls）",
    "ods": "OpenDocument 表格（.ods）", "html": "网页（HTML）", "xml2003": "Excel 2003 XML 表格",
    "xml": "XML 文件", "csv": "CSV 或文本文件", "pdf": "PDF 文件", "docx": "Word 文档（.docx）",
    "doc": "Word 97-2003 文档（.doc）", "pptx": "PowerPoint 演示文稿", "odf": "OpenDocument 文档（不是表格）",
    "zip": "ZIP 压缩包", "encrypted": "加了密码的 Office 文件", "ole": "Office 97-2003 文件（不是 Excel 工作簿）",
    "empty": "空文件", "unknown": "无法识别的文件",
}
READABLE_KINDS = {"xlsx", "xlsb", "xls", "ods"}
SUFFIX_KINDS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xlsb": "xlsb", ".xls": "xls", ".ods": "ods"}
_OLE = bytes.fromhex("D0CF11E0A1B11AE1")


def sniff(path: Path) -> str:
    """The file's real format (a key of LABELS), from its content."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head:
        return "empty"
    if head.startswith(b"PK"):
        return _zip_kind(path)
    if head.startswith(_OLE):
        return _ole_kind(path)
    if head.startswith(b"%PDF"):
        return "pdf"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head", b"<body")) or b"<html" in text:
        return "html"
    if text.startswith(b"<?xml") or text.startswith(b"<"):
        return "xml2003" if b"urn:schemas-microsoft-com:office:spreadsheet" in head else "xml"
    if b"\x00" not in head:
        return "csv"
    return "unknown"


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "xl/workbook.bin" in names:
                return "xlsb"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "word/document.xml" in names:
                return "docx"
            if any(n.startswith("ppt/") for n in names):
                return "pptx"
            if "content.xml" in names:
                mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
                return "ods" if b"spreadsheet" in mimetype else "odf"
    except (zipfile.BadZipFile, OSError, KeyError):
        return "unknown"
    return "zip"


def _ole_kind(path: Path) -> str:
    with path.open("rb") as fh:
        data = fh.read(1 << 21)  # the directory of a small OLE file is near its start; names are UTF-16
    if "EncryptedPackage".encode("utf-16-le") in data:
        return "encrypted"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    if "WordDocument".encode("utf-16-le") in data:
        return "doc"
    return "ole" if len(data) < (1 << 21) else "xls"  # a big OLE file whose directory lies further: let calamine try


def advice(kind: str) -> str:
    """What to do with a file povmon cannot read."""
    if kind == "encrypted":
        return "请在 Excel 或 WPS 中打开它、去掉密码（文件 → 信息 → 保护工作簿），另存为 .xlsx 后再导入"
    if kind in ("pdf", "docx", "doc", "pptx", "odf", "zip", "empty", "unknown", "ole"):
        return "请导入原来的 Excel 表格（.xlsx）"
    return "请在 Excel 或 WPS 中打开它，另存为“Excel 工作簿（.xlsx）”后再导入"


# --- the .xlsx scan -------------------------------------------------------------------------------------------

@dataclass
class SheetScan:
    """What the scan found in one sheet: its part, extent and number of cells."""

    name: str
    part: str
    rows: int = 0  # the highest row number mentioned (an upper bound of the extent)
    columns: int = 0  # the highest column mentioned
    cells: int = 0  # cell elements, empty formatted ones included
    exact: bool = True  # every cell carried its r="A1" reference in first place (else the extent is unknown)

    @property
    def dense(self) -> int:
        """How many cells a dense read of the extent holds."""
        return self.rows * self.columns


@dataclass
class BookScan:
    """The sheets of an .xlsx and what they would expand to."""

    sheets: dict[str, SheetScan] = field(default_factory=dict)
    strings: int = 0


def scan_xlsx(path: Path, limits: ReadLimits) -> BookScan:
    """Scan an .xlsx's parts as they decompress; refuse (PovmonError) anything past the limits."""
    try:
        return _scan_xlsx(path, limits)
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, expat.ExpatError) as exc:
        # a part whose content is not what its header declares (a lying size fails the CRC) or broken XML
        raise PovmonError(f"无法读取 {path.name}（文件已损坏：{str(exc)[:120]}）；"
                          "请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入。") from exc


def _scan_xlsx(path: Path, limits: ReadLimits) -> BookScan:
    name = path.name
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise PovmonError(f"无法读取 {name}（文件已损坏：{exc}）；"
                          "请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入。") from exc
    with zf:
        declared = sum(info.file_size for info in zf.infolist())
        if declared > limits.uncompressed_bytes:
            raise PovmonError(f"{name} 解压后有 {declared / 1048576:,.0f} MB，超过上限 "
                              f"{limits.uncompressed_bytes / 1048576:,.0f} MB（设置 POVMON_MAX_UNCOMPRESSED_MB）；"
                              "文件可能已损坏或不是正常的花名册，请检查后另存为 .xlsx 再导入。")
        budget = _Budget(name, limits)
        result = BookScan()
        strings_part = _strings_part(zf)
        if strings_part is not None:
            result.strings = _scan_strings(zf, strings_part, budget, limits)
        for sheet_name, part in sheet_parts(zf):
            result.sheets[sheet_name] = _scan_sheet(zf, sheet_name, part, budget, limits)
    return result


class _Budget:
    """The uncompressed bytes read so far, all parts together, against the limit."""

    def __init__(self, file: str, limits: ReadLimits):
        self.file, self.limit, self.used = file, limits.uncompressed_bytes, 0

    def spend(self, n: int, where: str) -> None:
        self.used += n
        if self.used > self.limit:
            raise PovmonError(f"{self.file} 的{where}解压后超过上限 {self.limit / 1048576:,.0f} MB"
                              "（设置 POVMON_MAX_UNCOMPRESSED_MB）；文件可能已损坏或是恶意构造的，"
                              "请检查后在 Excel 或 WPS 中另存为 .xlsx 再导入。")


def _chunks(zf: zipfile.ZipFile, part: str, budget: _Budget, where: str):
    """The part's bytes in chunks cut after a '>' (no tag is split), counted against the budget."""
    tail = b""
    with zf.open(part) as fh:
        while True:
            data = fh.read(CHUNK)
            if not data:
                break
            budget.spend(len(data), where)
            data = tail + data
            cut = data.rfind(b">") + 1
            if cut == 0:  # a megabyte without a tag end: keep it whole, the long-text check sees it
                yield data
                tail = b""
                continue
            yield data[:cut]
            tail = data[cut:]
    if tail:
        yield tail


def _long_runs(data: bytes, markers: tuple[bytes, ...], carried: int) -> tuple[int, int]:
    """The longest stretch (in bytes, ±BLOCK) without any marker, and the stretch still open at the end."""
    longest = carried
    run = carried
    for start in range(0, len(data), BLOCK):
        block = data[start:start + BLOCK]
        if any(m in block for m in markers):
            run = len(block) - max(block.rfind(m) for m in markers)
        else:
            run += len(block)
        longest = max(longest, run)
    return longest, run


def _scan_strings(zf: zipfile.ZipFile, part: str, budget: _Budget, limits: ReadLimits) -> int:
    where = "共享字符串表（sharedStrings）"
    count = 0
    run = 0
    too_long = _too_long_bytes(limits)
    for data in _chunks(zf, part, budget, where):
        count += data.count(b"<si>") + data.count(b"<si ") + data.count(b":si>") + data.count(b":si ")
        if count > limits.strings:
            raise PovmonError(f"{budget.file} 的共享字符串超过 {limits.strings:,} 个（上限，设置 POVMON_MAX_STRINGS）；"
                              "文件可能已损坏或是恶意构造的，请检查后另存为 .xlsx 再导入。")
        longest, run = _long_runs(data, (b"<si", b":si"), run)
        if longest > too_long:
            raise PovmonError(f"{budget.file} 的第 {count} 个共享字符串超过一个单元格的上限 {limits.cell_chars:,} 个字"
                              "（Excel 本身的上限）；文件可能已损坏或是恶意构造的，请检查后再导入。")
    return count


def _too_long_bytes(limits: ReadLimits) -> int:
    # one character takes at most 8 bytes of XML (&#20132;); rich-text runs add markup: be generous, never tight
    return max(limits.cell_chars * 16, 1 << 19)


_PREFIX = re.compile(rb"<(\w+:)?worksheet\b")


def _scan_sheet(zf: zipfile.ZipFile, sheet: str, part: str, budget: _Budget, limits: ReadLimits) -> SheetScan:
    where = f"工作表「{sheet}」"
    scan = SheetScan(sheet, part)
    prefix = b""
    rows_re = cells_re = None
    run = 0
    last_ref = "A1"
    too_long = _too_long_bytes(limits)
    for data in _chunks(zf, part, budget, where):
        if rows_re is None:
            found = _PREFIX.search(data)
            prefix = (found.group(1) or b"") if found else b""
            p = re.escape(prefix)
            # rows that can hold cells: not the self-closing ones whole-row formatting writes by the million
            rows_re = re.compile(rb"<" + p + rb"row\b[^>]*?\sr=\"(\d+)\"[^>]*(?<!/)>")
            # every cell element, with its column when r="A1" comes first (as Excel, WPS and openpyxl write it)
            cells_re = re.compile(rb"<" + p + rb"c(?: r=\"([A-Z]{1,3})(?=\d)|[ >])")
        refs = cells_re.findall(data)
        cells = len(refs)
        letters = set(refs)
        if b"" in letters:
            scan.exact = False  # a cell without its reference first: only a full parse knows where it is
            letters.discard(b"")
        if letters:
            scan.columns = max(scan.columns, max(_column_number(r) for r in letters))
        rows = rows_re.findall(data)
        if rows:
            scan.rows = max(scan.rows, max(map(int, rows)))
            last_ref = f"{column_letters(scan.columns or 1)}{rows[-1].decode()}"
        scan.cells += cells
        if scan.cells > limits.cells:
            raise PovmonError(f"{budget.file}「{sheet}」到单元格 {last_ref} 一带已有 {scan.cells:,} 个单元格，"
                              f"超过上限 {limits.cells:,}（设置 POVMON_MAX_CELLS）；请把表拆成几个文件，"
                              "或删去空白的格式行后另存再导入。")
        longest, run = _long_runs(data, (b"<",), run)  # one text node longer than any cell may be
        if longest > too_long:
            raise PovmonError(f"{budget.file}「{sheet}」单元格 {last_ref} 附近有一个单元格的内容超过 "
                              f"{limits.cell_chars:,} 个字（Excel 本身的上限）；文件可能已损坏或是恶意构造的，"
                              "请检查后再导入。")
    if scan.rows > MAX_ROWS or scan.columns > MAX_COLUMNS:
        raise PovmonError(f"{budget.file}「{sheet}」的行列超出 Excel 的范围；文件已损坏，请在 Excel 中另存后再导入。")
    return scan


def _column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    """The letters of a 1-based column number (1 → A, 16384 → XFD)."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_ref(row: int, column: int) -> str:
    """A1-style reference of a 0-based (row, column)."""
    return f"{column_letters(column + 1)}{row + 1}"


# --- the parts of a workbook ----------------------------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit(":", 1)[-1].rsplit("}", 1)[-1]


def _parse_small(zf: zipfile.ZipFile, part: str, start) -> None:
    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.Parse(zf.read(part), True)


def sheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part path) of the worksheets, in the workbook's order."""
    targets: dict[str, str] = {}

    def rel(tag, attrs):
        if _local(tag) == "Relationship":
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    sheets: list[tuple[str, str]] = []

    def sheet(tag, attrs):
        if _local(tag) == "sheet":
            rid = next((v for k, v in attrs.items() if _local(k) == "id" and k != "sheetId"), "")
            sheets.append((attrs.get("name", ""), rid))

    names = set(zf.namelist())
    if "xl/_rels/workbook.xml.rels" in names:
        _parse_small(zf, "xl/_rels/workbook.xml.rels", rel)
    _parse_small(zf, "xl/workbook.xml", sheet)
    result = []
    for name, rid in sheets:
        target = targets.get(rid, "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        if part in names:
            result.append((name, part))
    return result


def _strings_part(zf: zipfile.ZipFile) -> str | None:
    for candidate in ("xl/sharedStrings.xml", "xl/SharedStrings.xml"):
        if candidate in zf.namelist():
            return candidate
    return None


# --- the sparse reader ----------------------------------------------------------------------------------------

EMPTY_ROW: list = []  # shared by every empty row of a sparse sheet; never written to (see read.fill_merged)
_DATE_FORMATS = set(range(14, 23)) | set(range(27, 37)) | {45, 46, 47} | set(range(50, 59))
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _is_date_format(code: str) -> bool:
    bare = _QUOTED.sub("", code).lower()
    return bare != "general" and any(ch in bare for ch in "dmyhs")


def _styles(zf: zipfile.ZipFile) -> list[bool]:
    """For each cell format (s="n"), whether its number format shows a date."""
    if "xl/styles.xml" not in zf.namelist():
        return []
    custom: dict[int, str] = {}
    xfs: list[int] = []
    inside = {"cellXfs": False}

    def start(tag, attrs):
        name = _local(tag)
        if name == "numFmt":
            custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif name == "cellXfs":
            inside["cellXfs"] = True
        elif name == "xf" and inside["cellXfs"]:
            xfs.append(int(attrs.get("numFmtId", "0")))

    def end(tag):
        if _local(tag) == "cellXfs":
            inside["cellXfs"] = False

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(zf.read("xl/styles.xml"), True)
    return [fmt in _DATE_FORMATS or (fmt in custom and _is_date_format(custom[fmt])) for fmt in xfs]


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    part = _strings_part(zf)
    if part is None:
        return []
    strings: list[str] = []
    state = {"t": False, "skip": 0, "parts": []}

    def start(tag, _attrs):
        name = _local(tag)
        if name == "si":
            state["parts"] = []
        elif name == "t" and not state["skip"]:
            state["t"] = True
        elif name in ("rPh", "phoneticPr"):
            state["skip"] += 1

    def end(tag):
        name = _local(tag)
        if name == "t":
            state["t"] = False
        elif name in ("rPh", "phoneticPr"):
            state["skip"] -= 1
        elif name == "si":
            strings.append("".join(state["parts"]))

    def text(data):
        if state["t"]:
            state["parts"].append(data)

    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    with zf.open(part) as fh:
        parser.ParseFile(fh)
    return strings


def _epoch(zf: zipfile.ZipFile) -> dt.datetime:
    found = {"1904": False}

    def start(tag, attrs):
        if _local(tag) == "workbookPr" and attrs.get("date1904") in ("1", "true"):
            found["1904"] = True

    _parse_small(zf, "xl/workbook.xml", start)
    return dt.datetime(1904, 1, 1) if found["1904"] else dt.datetime(1899, 12, 30)


def _as_date(serial: float, epoch: dt.datetime) -> dt.date | dt.datetime:
    moment = epoch + dt.timedelta(days=serial)
    return moment.date() if moment.time() == dt.time() else moment


@dataclass
class SparseSheet:
    """A sheet read cell by cell: rows up to the last one holding a value, each row up to its last value."""

    rows: list[list]
    merged: list[tuple[tuple[int, int], tuple[int, int]]]
    width: int
    cells: int


def sparse_sheet(path: Path, part: str, sheet: str, limits: ReadLimits) -> SparseSheet:
    """Read one .xlsx sheet keeping only the cells that hold a value (calamine would allocate the whole extent).

    Values come back as calamine gives them: text, float, bool, date or datetime (from the cell's number format).
    """
    with zipfile.ZipFile(path) as zf:
        dates = _styles(zf)
        strings = _shared_strings(zf)
        epoch = _epoch(zf)
        values: dict[int, dict[int, object]] = {}
        merged: list[tuple[tuple[int, int], tuple[int, int]]] = []
        state: dict = {"row": -1, "col": -1, "cell": None, "type": "n", "style": 0, "text": [], "in_v": False,
                       "in_t": False, "cells": 0}

        def start(tag, attrs):
            name = _local(tag)
            if name == "row":
                state["row"] = int(attrs["r"]) - 1 if "r" in attrs else state["row"] + 1
                state["col"] = -1
            elif name == "c":
                ref = attrs.get("r")
                if ref:
                    letters = ref.rstrip("0123456789")
                    state["col"] = _column_number(letters) - 1
                    state["row"] = int(ref[len(letters):]) - 1
                else:
                    state["col"] += 1
                state["cell"] = (state["row"], state["col"])
                state["type"] = attrs.get("t", "n")
                state["style"] = int(attrs.get("s", "0") or 0)
                state["text"] = []
            elif name == "v":
                state["in_v"] = True
            elif name == "t" and state["cell"] is not None:
                state["in_t"] = True
            elif name == "mergeCell":
                first, _, last = attrs.get("ref", "").partition(":")
                if first:
                    (r0, c0), (r1, c1) = _position(first), _position(last or first)
                    merged.append(((r0, c0), (r1, c1)))

        def end(tag):
            name = _local(tag)
            if name == "v":
                state["in_v"] = False
            elif name == "t":
                state["in_t"] = False
            elif name == "c":
                if state["text"]:
                    value = _value("".join(state["text"]), state["type"], state["style"])
                    if value is not None and value != "":
                        row, col = state["cell"]
                        values.setdefault(row, {})[col] = value
                        state["cells"] += 1
                        if state["cells"] > limits.cells:
                            raise PovmonError(f"{path.name}「{sheet}」到单元格 {cell_ref(row, col)} 已有 "
                                              f"{state['cells']:,} 个有内容的单元格，超过上限 {limits.cells:,}"
                                              "（设置 POVMON_MAX_CELLS）；请把表拆成几个文件再导入。")
                state["cell"] = None

        def text(data):
            if state["in_v"] or state["in_t"]:
                state["text"].append(data)

        def _value(raw: str, kind: str, style: int):
            if kind == "s":
                index = int(raw)
                return strings[index] if 0 <= index < len(strings) else ""
            if kind in ("inlineStr", "str", "e"):
                return raw
            if kind == "b":
                return raw.strip() in ("1", "true")
            if kind == "d":
                try:
                    return _as_date(0, dt.datetime.fromisoformat(raw))
                except ValueError:
                    return raw
            try:
                number = float(raw)
            except ValueError:
                return raw
            if 0 <= style < len(dates) and dates[style]:
                try:
                    return _as_date(number, epoch)
                except OverflowError:
                    return number
            return number

        parser = expat.ParserCreate()
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
        parser.buffer_text = True
        with zf.open(part) as fh:
            parser.ParseFile(fh)
    height = max(values, default=-1) + 1
    rows: list[list] = [EMPTY_ROW] * height
    width = 0
    for r, cols in values.items():
        row = [""] * (max(cols) + 1)
        for c, value in cols.items():
            row[c] = value
        rows[r] = row
        width = max(width, len(row))
    return SparseSheet(rows, merged, width, state["cells"])


def _position(ref: str) -> tuple[int, int]:
    letters = ref.rstrip("0123456789").lstrip("$").replace("$", "")
    digits = ref[len(ref.rstrip("0123456789")):]
    return int(digits or "1") - 1, _column_number(letters or "A") - 1
