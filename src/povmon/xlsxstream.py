"""A streaming .xlsx writer for large printed workbooks (a thousand sheets, a million cells), in the house style.

openpyxl spends about 15 µs on every cell it writes (cell objects, style hashing, XML element contexts); a
workbook of a thousand household ledgers has about a million cells, so openpyxl alone takes longer than a
clerk should wait. This writer produces the worksheet XML directly (a few µs per cell) and streams each
finished sheet into the zip archive, so memory does not grow with the number of sheets.

The look is still defined in one place: fonts, borders, fills and alignments are the openpyxl objects of
``povmon.xlsx`` serialised with their own ``to_tree()``, and the print setup (A4, fit to width, the
第 &P 页 共 &N 页 footer) comes from ``xlsx.a4`` applied to a template worksheet. Strings are always written
as inline strings, never formulas, and text that looks like a formula also gets Excel's quote prefix
(see ``xlsx.guard``). Workbooks read back with openpyxl like any other.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from openpyxl import Workbook
from openpyxl.chart._chart import ChartBase
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Alignment, Border, Font, PatternFill
from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.cell import absolute_coordinate, column_index_from_string, coordinate_from_string
from openpyxl.worksheet.datavalidation import DataValidation, DataValidationList
from openpyxl.worksheet.header_footer import HeaderFooter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.theme import theme_xml
from openpyxl.xml.functions import tostring

from povmon import files, xlsx

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
# Font 0, the workbook's default: Excel and WPS measure column widths with its digits (7 px for 10.5-pt SimSun,
# as for Calibri 11), so the house font keeps widths right where Calibri is missing (WPS on Chinese Linux).
DEFAULT_FONT = xlsx.FONT
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _xml(obj) -> str:
    return tostring(obj.to_tree()).decode("utf-8")


def footer_xml(text: str) -> str:
    """A sheet's own footer (centred, 9-pt house font), e.g. naming whose pages they are."""
    hf = HeaderFooter()
    hf.oddFooter.center.text = text
    hf.oddFooter.center.font = xlsx.FONT_NAME
    hf.oddFooter.center.size = 9
    return _xml(hf)


def _text(value: str) -> str:
    """Text as worksheet XML can hold it: without control characters, escaped."""
    return escape(xlsx.safe_text(value))


class Styles:
    """The workbook's cell formats: each combination of font, border, fill, alignment, number format and
    quote prefix gets an index once (objects are keyed by identity and kept alive, so ids stay unique)."""

    def __init__(self) -> None:
        self._fonts: list[str] = [_xml(DEFAULT_FONT)]
        self._fills: list[str] = ['<fill><patternFill patternType="none"/></fill>',
                                  '<fill><patternFill patternType="gray125"/></fill>']
        self._borders: list[str] = ["<border><left/><right/><top/><bottom/><diagonal/></border>"]
        self._formats: dict[str, int] = {}
        self._xfs: list[str] = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']
        self._part_ids: dict[tuple[str, str], int] = {("font", self._fonts[0]): 0}
        self._ids: dict[tuple, tuple[int, tuple]] = {}

    def _part(self, kind: str, xml: str, items: list[str]) -> int:
        key = (kind, xml)
        if key not in self._part_ids:
            self._part_ids[key] = len(items)
            items.append(xml)
        return self._part_ids[key]

    def _number_format(self, code: str | None) -> int:
        if code is None or code == "General":
            return 0
        builtin = BUILTIN_FORMATS_REVERSE.get(code)
        if builtin is not None:
            return builtin
        return self._formats.setdefault(code, 164 + len(self._formats))

    def id(
        self,
        *,
        font: Font | None = None,
        border: Border | None = None,
        fill: PatternFill | None = None,
        align: Alignment | None = None,
        number_format: str | None = None,
        quote_prefix: bool = False,
    ) -> int:
        """The index of a cell format (created on first use)."""
        key = (id(font), id(border), id(fill), id(align), number_format, quote_prefix)
        known = self._ids.get(key)
        if known is not None:
            return known[0]
        font_id = 0 if font is None else self._part("font", _xml(font), self._fonts)
        fill_id = 0 if fill is None else self._part("fill", _xml(fill), self._fills)
        border_id = 0 if border is None else self._part("border", _xml(border), self._borders)
        fmt_id = self._number_format(number_format)
        attrs = (f'numFmtId="{fmt_id}" fontId="{font_id}" fillId="{fill_id}" borderId="{border_id}" xfId="0"'
                 ' applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1"')
        if quote_prefix:
            attrs += ' quotePrefix="1"'
        if align is not None:
            xf = f'<xf {attrs} applyAlignment="1">{_xml(align)}</xf>'
        else:
            xf = f"<xf {attrs}/>"
        index = len(self._xfs)
        self._xfs.append(xf)
        self._ids[key] = (index, (font, border, fill, align))  # keep the objects alive: ids are not reused
        return index

    def xml(self) -> str:
        """The styles part (xl/styles.xml)."""
        formats = "".join(f'<numFmt numFmtId="{i}" formatCode={quoteattr(code)}/>' for code, i in self._formats.items())
        return (
            f'{_XML_HEAD}<styleSheet xmlns="{MAIN_NS}">'
            + (f'<numFmts count="{len(self._formats)}">{formats}</numFmts>' if self._formats else "")
            + f'<fonts count="{len(self._fonts)}">{"".join(self._fonts)}</fonts>'
            + f'<fills count="{len(self._fills)}">{"".join(self._fills)}</fills>'
            + f'<borders count="{len(self._borders)}">{"".join(self._borders)}</borders>'
            + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            + f'<cellXfs count="{len(self._xfs)}">{"".join(self._xfs)}</cellXfs>'
            + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            + "</styleSheet>"
        )


def cell_xml(ref: str, value: object, style: int) -> str:
    """One cell: text as an inline string (never a formula), numbers and dates as numbers, None or "" blank."""
    if value is None or value == "":
        return f'<c r="{ref}" s="{style}"/>'
    if isinstance(value, str):
        space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
        return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{_text(value)}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.datetime):
        serial = (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400
        return f'<c r="{ref}" s="{style}"><v>{serial}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{style}"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, Decimal):
        return f'<c r="{ref}" s="{style}"><v>{value:f}</v></c>'  # never exponent notation
    if isinstance(value, (int, float)):
        return f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>'
    raise TypeError(f"cannot write {type(value).__name__} to a cell")


class StreamingSheet:
    """One worksheet: rows are appended in order, merges and breaks noted, and the XML is written on close."""

    def __init__(self, book: StreamingWorkbook, index: int, title: str, widths: list[float], repeat_rows: str | None,
                 freeze: str | None = None, landscape: bool | None = None):
        self.book = book
        self.index = index
        self.title = title
        self.repeat_rows = repeat_rows
        self.freeze = freeze  # the first cell below and right of the frozen panes, e.g. "A4"
        self.landscape = landscape  # None: as the workbook's print setup says
        self.footer: str | None = None  # None: the workbook's footer; else this sheet's own (see footer_xml)
        self.print_area: str | None = None  # e.g. "A1:H40"; None: everything with content
        self.charts: list[ChartBase] = []
        self.validations: list[DataValidation] = []
        self.row = 0
        self._columns = len(widths)
        self._letters = [get_column_letter(i) for i in range(1, len(widths) + 1)]
        self._cols = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1)
        )
        self._rows: list[str] = []
        self._merges: list[str] = []
        self._breaks: list[int] = []

    def append(self, cells: list[tuple[object, int]], height: float | None = None) -> int:
        """Append a row of (value, style id) cells from column A; returns the row number."""
        self.row += 1
        r = self.row
        attrs = f' ht="{height}" customHeight="1"' if height else ""
        body = "".join(cell_xml(f"{self._letters[i]}{r}", value, style) for i, (value, style) in enumerate(cells))
        self._rows.append(f'<row r="{r}"{attrs}>{body}</row>')
        return r

    def merge(self, first_column: int, last_column: int, row: int | None = None) -> None:
        """Merge columns of a row (default: the last row appended)."""
        r = row or self.row
        self._merges.append(f"{self._letters[first_column - 1]}{r}:{self._letters[last_column - 1]}{r}")

    def merge_range(self, ref: str) -> None:
        """Merge any range, e.g. "A3:A4" (a header spanning two rows)."""
        self._merges.append(ref)

    def add_chart(self, chart: ChartBase, anchor: str) -> None:
        """An openpyxl chart (its data given by Reference(range_string=...)) with its top-left corner at anchor."""
        chart.anchor = anchor
        self.charts.append(chart)

    def add_validation(self, validation: DataValidation) -> None:
        """An openpyxl data validation (dropdown list, whole numbers, …) over the ranges added to it."""
        self.validations.append(validation)

    def page_break(self) -> None:
        """Start a new printed page after the last row appended."""
        self._breaks.append(self.row)

    def close(self) -> None:
        """Write the sheet into the archive."""
        self.book._write_sheet(self)

    def xml(self) -> str:
        """The worksheet part."""
        last = f"{self._letters[-1]}{max(self.row, 1)}"
        selected = ' tabSelected="1"' if self.index == 1 else ""
        merges = ""
        if self._merges:
            merges = f'<mergeCells count="{len(self._merges)}">' + "".join(
                f'<mergeCell ref="{m}"/>' for m in self._merges) + "</mergeCells>"
        breaks = ""
        if self._breaks:
            breaks = (f'<rowBreaks count="{len(self._breaks)}" manualBreakCount="{len(self._breaks)}">'
                      + "".join(f'<brk id="{b}" max="16383" man="1"/>' for b in self._breaks) + "</rowBreaks>")
        setup = self.book._print_setup
        pane = ""
        if self.freeze:
            column, row = _split_ref(self.freeze)
            x, y = column - 1, row - 1
            split = (f' xSplit="{x}"' if x else "") + (f' ySplit="{y}"' if y else "")
            which = "bottomRight" if x and y else "bottomLeft" if y else "topRight"
            if x or y:
                pane = (f'<pane{split} topLeftCell="{self.freeze}" activePane="{which}" state="frozen"/>'
                        f'<selection pane="{which}" activeCell="{self.freeze}" sqref="{self.freeze}"/>')
        view = f'<sheetView workbookViewId="0"{selected}>{pane}</sheetView>' if pane else \
            f'<sheetView workbookViewId="0"{selected}/>'
        validations = ""
        if self.validations:
            validations = _xml(DataValidationList(dataValidation=self.validations))
        page_setup = setup["pageSetup"]
        if self.landscape is not None:
            wanted = "landscape" if self.landscape else "portrait"
            page_setup = page_setup.replace('orientation="landscape"', f'orientation="{wanted}"').replace(
                'orientation="portrait"', f'orientation="{wanted}"')
        footer = setup["headerFooter"] if self.footer is None else footer_xml(self.footer)
        drawing = '<drawing r:id="rId1"/>' if self.charts else ""
        return (
            f'{_XML_HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{setup["sheetPr"]}'
            f'<dimension ref="A1:{last}"/><sheetViews>{view}</sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{self._cols}</cols>'
            f'<sheetData>{"".join(self._rows)}</sheetData>{merges}{validations}'
            f'{setup["printOptions"]}{setup["pageMargins"]}{page_setup}{footer}{breaks}{drawing}'
            "</worksheet>"
        )


def _absolute(area: str) -> str:
    """"A1:H40" → "$A$1:$H$40"."""
    return absolute_coordinate(area)


def _split_ref(ref: str) -> tuple[int, int]:
    """"C5" → (3, 5)."""
    letters, row = coordinate_from_string(ref)
    return column_index_from_string(letters), row


class StreamingWorkbook:
    """A workbook written sheet by sheet straight into its zip file; ``close()`` finishes it.

    ``print_setup`` is applied to a template openpyxl worksheet (e.g. ``lambda ws: xlsx.a4(ws, ...)``) and
    copied to every sheet. The file appears under its name only when complete (``files.atomic``).
    """

    def __init__(self, path: Path, *, print_setup: Callable[[Worksheet], None] | None = None,
                 compresslevel: int = 1, private: bool = True):
        self.path = Path(path)
        self._writing = contextlib.ExitStack()
        self._partial = self._writing.enter_context(files.atomic(self.path, private=private))
        try:
            self._zip = zipfile.ZipFile(self._partial, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        except BaseException:
            self._writing.__exit__(RuntimeError, RuntimeError("not opened"), None)
            raise
        self.styles = Styles()
        self._sheets: list[tuple[str, str | None, str | None]] = []  # title, print titles, print area
        self._drawings = 0
        self._charts = 0
        template = Workbook().active
        if print_setup is not None:
            print_setup(template)
        self._print_setup = {
            "sheetPr": _xml(template.sheet_properties),
            "printOptions": _xml(template.print_options) if print_setup else "",
            "pageMargins": _xml(template.page_margins),
            "pageSetup": _xml(template.page_setup),
            "headerFooter": _xml(template.HeaderFooter),
        }
        self._closed = False

    def add_sheet(self, title: str, widths: list[float], *, repeat_rows: str | None = None,
                  freeze: str | None = None, landscape: bool | None = None) -> StreamingSheet:
        """A new sheet (title already valid and unique: see ``xlsx.sheet_title``); sheets are written one at a time."""
        return StreamingSheet(self, len(self._sheets) + 1, title, list(widths), repeat_rows, freeze, landscape)

    def _write_sheet(self, sheet: StreamingSheet) -> None:
        self._zip.writestr(f"xl/worksheets/sheet{sheet.index}.xml", sheet.xml())
        if sheet.charts:
            self._write_drawing(sheet)
        self._sheets.append((sheet.title, sheet.repeat_rows, sheet.print_area))

    def _write_drawing(self, sheet: StreamingSheet) -> None:
        """The sheet's charts: one drawing part anchoring them, a chart part each, and the relationships."""
        self._drawings += 1
        drawing = SpreadsheetDrawing()
        drawing._id = self._drawings
        for chart in sheet.charts:
            self._charts += 1
            chart._id = self._charts
            drawing.charts.append(chart)
            self._zip.writestr(chart.path[1:], tostring(chart._write()))
        self._zip.writestr(drawing.path[1:], tostring(drawing._write()))
        self._zip.writestr(f"xl/drawings/_rels/drawing{drawing._id}.xml.rels", tostring(drawing._write_rels()))
        self._zip.writestr(
            f"xl/worksheets/_rels/sheet{sheet.index}.xml.rels",
            f'{_XML_HEAD}<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{REL_NS}/drawing" '
            f'Target="/xl/drawings/drawing{drawing._id}.xml"/></Relationships>')

    @property
    def sheet_count(self) -> int:
        return len(self._sheets)

    def close(self) -> None:
        """Write the workbook parts and move the file into place."""
        if self._closed:
            return
        self._closed = True
        n = len(self._sheets)
        sheets = "".join(
            f'<sheet name={quoteattr(xlsx.safe_text(title))} sheetId="{i}" r:id="rId{i}"/>'
            for i, (title, _, _) in enumerate(self._sheets, start=1)
        )
        names = "".join(
            f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
            f"{escape(quote_sheetname(xlsx.safe_text(title)))}!${rows.replace(':', ':$')}</definedName>"
            for i, (title, rows, _) in enumerate(self._sheets) if rows
        ) + "".join(
            f'<definedName name="_xlnm.Print_Area" localSheetId="{i}">'
            f"{escape(quote_sheetname(xlsx.safe_text(title)))}!{_absolute(area)}</definedName>"
            for i, (title, _, area) in enumerate(self._sheets) if area
        )
        workbook = (
            f'{_XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><workbookPr/>'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets>" + (f"<definedNames>{names}</definedNames>" if names else "")
            + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
        )
        sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sheet_type}"/>' for i in range(1, n + 1)
        ) + "".join(
            f'<Override PartName="/xl/drawings/drawing{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"/>'
            for i in range(1, self._drawings + 1)
        ) + "".join(
            f'<Override PartName="/xl/charts/chart{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.drawingml.chart+xml"/>'
            for i in range(1, self._charts + 1)
        )
        content_types = (
            f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/theme/theme1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            f"{overrides}</Types>"
        )
        package_rels = (
            f'{_XML_HEAD}<Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
            'core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{REL_NS}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"
        )
        workbook_rels = (
            f'{_XML_HEAD}<Relationships xmlns="{PKG_REL_NS}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, n + 1))
            + f'<Relationship Id="rId{n + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
            + f'<Relationship Id="rId{n + 2}" Type="{REL_NS}/theme" Target="theme/theme1.xml"/></Relationships>'
        )
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        core = (
            f'{_XML_HEAD}<cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>povmon</dc:creator>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>'
        )
        app = (f'{_XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
               'extended-properties"><Application>povmon</Application></Properties>')
        try:
            for name, data in (("[Content_Types].xml", content_types), ("_rels/.rels", package_rels),
                               ("docProps/core.xml", core), ("docProps/app.xml", app),
                               ("xl/workbook.xml", workbook), ("xl/_rels/workbook.xml.rels", workbook_rels),
                               ("xl/styles.xml", self.styles.xml()), ("xl/theme/theme1.xml", theme_xml)):
                self._zip.writestr(name, data)
            self._zip.close()
        except BaseException:
            self.discard()
            raise
        self._writing.close()  # the complete file takes the name

    def discard(self) -> None:
        """Give up: close the archive and remove the unfinished file (nothing appears under the name)."""
        self._closed = True
        self._zip.close()
        self._writing.__exit__(RuntimeError, RuntimeError("discarded"), None)

    def __enter__(self) -> StreamingWorkbook:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()
