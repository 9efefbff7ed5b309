"""FAQ exports as admins bring them (CSV, XLSX, JSONL), with the mess real exports have."""

from __future__ import annotations

import csv
import json

from openpyxl import Workbook

HEADER = ["id", "question", "answer", "category", "similar", "keywords"]
ROWS = [
    [
        "SB-001",
        "社保卡丢了怎么补办",
        "<p>携带<b>身份证</b>到社保窗口补办，工本费20元。</p><p>详见<a href='https://rs.example.gov.cn/sbk'>办事指南</a>。</p>",
        "社保",
        "社保卡掉了|社保卡补办",
        "社保卡",
    ],
    [
        "SB-002",
        "社保缴费基数怎么查",
        "登录 https://rs.example.gov.cn 查询，或拨打0454-1234567。",
        "社保",
        "缴费基数\n社保基数查询",
        "",
    ],
    ["", "營業執照如何辦理", "攜帶身份證到政務服務中心辦理，3個工作日辦結。", "", "", ""],
    ["", "", "", "", "", ""],  # empty row
    ["SB-003", "只有问题没有答案", "", "社保", "", ""],
    ["SB-001", "重复的编号", "答案", "社保", "", ""],
    ["", "社保卡丢了怎么补办", "同一个问题又出现了", "社保", "", ""],
    ["bad id!", "编号不合规", "答案", "", "", ""],
]


def write_csv(path, rows, encoding="utf-8-sig", delimiter=","):
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def write_xlsx(path, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["编号", "问题", "答案", "分类", "相似问", "关键词"])  # Chinese headers
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_jsonl(path, rows):
    lines = [json.dumps(dict(zip(HEADER, row, strict=True)), ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
