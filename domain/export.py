"""Applications as a table: CSV and Excel (openpyxl) bytes with the same rows."""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook


def to_csv(header: list[str], rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8 right


def to_xlsx(header: list[str], rows: list[list[object]], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit for sheet names
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(40, max(10, width + 2))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
