"""Generated hostile and damaged workbooks (tests only): written straight as zip parts, so that they can be what
no spreadsheet program would write — a zip bomb, a cell of two million characters, a stray far-away value."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

from povmon.ingest.guard import column_letters

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def row_xml(r: int, values: Iterable[object], first_column: int = 1) -> str:
    cells = []
    for offset, value in enumerate(values):
        if value is None:
            continue
        ref = f"{column_letters(first_column + offset)}{r}"
        if isinstance(value, (int, float)):
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        else:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
    return f'<row r="{r}">{"".join(cells)}</row>'


def write(path: Path, sheet_rows: Iterable[str], *, shared_strings: Iterable[bytes] | None = None,
          sheet_name: str = "花名册", level: int = 6) -> Path:
    """An .xlsx of one sheet whose <sheetData> is the given row XML; ``shared_strings`` streams sharedStrings.xml."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        overrides = ('<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                     'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
                     'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
        if shared_strings is not None:
            overrides += ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                          'officedocument.spreadsheetml.sharedStrings+xml"/>')
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                    '2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                    'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                    f"{overrides}</Types>")
        zf.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                                   f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        zf.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>'
                                       f'<sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>')
        rels = f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        if shared_strings is not None:
            rels += f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        zf.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="{PKG}">{rels}'
                                                  "</Relationships>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>'.encode())
            for row in sheet_rows:
                fh.write(row.encode())
            fh.write(b"</sheetData></worksheet>")
        if shared_strings is not None:
            with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
                fh.write(f'<?xml version="1.0"?><sst xmlns="{NS}">'.encode())
                for chunk in shared_strings:
                    fh.write(chunk)
                fh.write(b"</sst>")
    return path


def repeated(piece: bytes, total: int) -> Iterable[bytes]:
    """``piece`` repeated to about ``total`` bytes, in chunks of a few megabytes."""
    block = piece * max(1, (4 << 20) // len(piece))
    written = 0
    while written < total:
        yield block
        written += len(block)
