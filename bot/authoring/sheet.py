"""Reading an XLSX sheet within bounds.

An XLSX file is a zip of XML: a 10 MB upload (the console's limit) can unpack to gigabytes, and
openpyxl reads a sheet's shared strings (every distinct text of the sheet) whole, even read-only.
A sheet can also be read as far more cells than it holds: one cell in column 5000 makes every
row 5000 cells wide, and rows missing between two numbers are read as empty rows. So the sizes
the zip declares are summed before anything is unpacked (Python's zipfile never unpacks a member
past its declared size), and rows and cells are counted as they are read; past a bound the
import is refused with what to do, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

# 100k rows of bench/synthetic.py (id, question, answer, similar): a 6 MB upload that unpacks to
# 81 MB, 400k cells.
MAX_UNPACKED = 128 * 2**20  # bytes, all members of the zip
MAX_ROWS = 500_000
MAX_CELLS = 10_000_000

# <mergeCell ref="A2:A4"/>, with or without a namespace prefix.
_MERGE = re.compile(
    rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"'
)
PIECE = 2**20  # bytes of the sheet's XML searched for them at a time


def xlsx_rows(path: Path) -> Iterator[dict[str, str]]:
    """The first visible sheet's rows as {header: text}; ValueError past a bound, or for a
    file that is no zip or whose zip is broken (a member unpacking to other than it says is
    found only as it is read, rows into the sheet)."""
    try:
        yield from _rows(path)
    except zipfile.BadZipFile as exc:
        raise ValueError(
            f"这个 XLSX 文件损坏了，读不出来（{exc}）：请在 Excel 里另存一份再导入"
        ) from exc


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_UNPACKED:
        raise ValueError(
            f"这个 XLSX 解压后有 {unpacked // 2**20} MB，超过导入的上限 {MAX_UNPACKED // 2**20} MB："
            "请拆成几个较小的表分别导入"
        )
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        # The first sheet the editor sees: a hidden one (a draft, a lookup table) is not it.
        shown = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
        if not shown:
            raise ValueError("这个 XLSX 没有可见的工作表：请把要导入的表取消隐藏")
        # openpyxl keeps where the sheet is in the zip but not its merged ranges.
        merged = _Merged(_merged_ranges(path, shown[0]._worksheet_path))
        shown_rows = (tuple(map(_as_shown, row)) for row in shown[0].iter_rows())
        rows = (merged.filled(n, v) for n, v in enumerate(shown_rows, 1))
        headers = [str(h or "") for h in next(rows, [])]
        cells = len(headers)
        for number, values in enumerate(rows, start=2):
            cells += len(values)
            if number > MAX_ROWS:
                raise ValueError(f"表格超过 {MAX_ROWS} 行（导入的上限）：请拆成几个表分别导入")
            if cells > MAX_CELLS:
                raise ValueError(
                    f"表格的单元格超过 {MAX_CELLS} 个（导入的上限）：表里最右边或最下边的空白"
                    "单元格可能被设了格式或内容，请删掉多余的列和行，或拆成几个表"
                )
            yield {h: "" if v is None else str(v) for h, v in zip(headers, values, strict=False)}
    finally:
        book.close()


def _as_shown(cell) -> object:
    """A cell's value as Excel shows it where its plain text would say otherwise: a share
    formatted as a percentage (0.61 is 61%: a wrong figure in an answer, probe20), a date
    without the midnight openpyxl gives it, a time to the minute, a whole number without
    the .0 of a decimal format. Text, and numbers in other formats, are kept as they are."""
    value = cell.value
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    if isinstance(value, int | float) and "%" in (cell.number_format or ""):
        decimals = _PERCENT_DECIMALS.search(cell.number_format)
        return f"{value * 100:.{len(decimals.group(1)) if decimals else 0}f}%"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


_PERCENT_DECIMALS = re.compile(r"\.(0+)%")


def _merged_ranges(path: Path, part: str) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges as (first row, last row, first column, last column), from 1.
    They follow the cells in the sheet's XML, so it is read through once more, a piece at a
    time (within `MAX_UNPACKED`, checked before)."""
    found = []
    with zipfile.ZipFile(path) as archive, archive.open(part) as stream:
        rest = b""
        while piece := stream.read(PIECE):
            text, end = rest + piece, 0
            for match in _MERGE.finditer(text):
                left, top, right, bottom = match.groups()
                found.append(
                    (
                        int(top),
                        int(bottom),
                        column_index_from_string(left.decode()),
                        column_index_from_string(right.decode()),
                    )
                )
                end = match.end()
            rest = text[max(end, len(text) - 200) :]  # a tag cut between two pieces
    return sorted(found)


class _Merged:
    """Fills each row's cells that lie inside a merged range with the range's first cell."""

    def __init__(self, ranges: list[tuple[int, int, int, int]]) -> None:
        self.ranges = ranges  # sorted by first row
        self.next = 0  # the first range not yet reached
        self.active: list[tuple[int, int, int, int]] = []
        self.first: dict[tuple[int, int], object] = {}

    def filled(self, number: int, values: tuple) -> tuple:
        while self.next < len(self.ranges) and self.ranges[self.next][0] <= number:
            self.active.append(self.ranges[self.next])
            self.next += 1
        if not self.active:
            return values
        self.active = [r for r in self.active if r[1] >= number]
        cells = list(values)
        for top, _, left, right in self.active:
            if top == number and left <= len(cells):
                self.first[(top, left)] = cells[left - 1]
            value = self.first.get((top, left))
            for column in range(left, min(right, len(cells)) + 1):
                cells[column - 1] = value
        return tuple(cells)
