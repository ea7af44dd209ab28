"""Tables for people who open them in a spreadsheet program (HR exports, code sheets).

- CSV: UTF-8 with a byte-order mark (``utf-8-sig``) so that Excel shows Vietnamese
  correctly, one header row, RFC 4180 quoting, CRLF line ends.
- XLSX (openpyxl): one sheet, the header row bold and frozen, every cell text.
- In both, text that a spreadsheet would run as a formula (starting with ``=``, ``+``,
  ``-``, ``@``, tab or CR) is prefixed with ``'`` (OWASP "CSV injection" advice).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")


def safe_text(value: str) -> str:
    """``value``, made inert if a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def render_csv(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """The CSV file's bytes; the caller makes the cells safe (``safe_text``) where needed."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, dialect="excel", lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def render_xlsx(columns: Sequence[str], rows: Iterable[Sequence[str]], title: str) -> bytes:
    """The XLSX file's bytes; every cell is written as text, made safe with ``safe_text``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([safe_text(str(value)) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_table(fmt: str, columns: Sequence[str], rows: Iterable[Sequence[str]],
                 title: str = "data") -> bytes:
    """``render_csv`` or ``render_xlsx`` by name; ValueError names the formats."""
    if fmt == "csv":
        return render_csv(columns, ([safe_text(str(v)) for v in row] for row in rows))
    if fmt == "xlsx":
        return render_xlsx(columns, rows, title)
    raise ValueError(f"unknown format {fmt!r}; supported formats: {', '.join(FORMATS)}")
