"""The knowledge as one spreadsheet, for reviewers who work in Excel and for moving entries
between deployments: `policybot import` reads it back (the same column names it looks for)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from bot.knowledge.model import Knowledge

# The first six are the columns `policybot import` reads; the rest keep what import does not
# take (the source and review fields), so nothing is lost to a reader of the sheet.
HEADERS = (
    "编号",
    "分类",
    "问题",
    "相似问",
    "答案",
    "关键词",
    "来源文档",
    "引文",
    "相关条目",
    "复核日期",
)
WIDTHS = (24, 16, 30, 36, 60, 20, 22, 40, 24, 12)


def export_xlsx(knowledge: Knowledge) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "问答"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for entry in knowledge.entries:
        sheet.append(
            (
                entry.id,
                entry.category,
                entry.question,
                "\n".join(entry.similar),
                entry.answer,
                "|".join(entry.keywords),
                entry.source.document,
                entry.source.quote,
                "|".join(entry.related),
                entry.review_by.isoformat() if entry.review_by else "",
            )
        )
    for column, width in zip("ABCDEFGHIJ", WIDTHS, strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, as written: openpyxl would store it as a formula
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
