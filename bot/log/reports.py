"""Gap and usage reports in the formats reviewers open: terminal table, CSV, JSON, HTML.

The HTML report is one self-contained file — inline CSS and an inline SVG chart, no scripts,
fonts or CDNs — because it will be opened on government intranets without internet access.

Reports quote what strangers typed, so each format makes it inert where it lands: HTML escapes
it, JSON encodes it, the CSV keeps a spreadsheet from reading a cell as a formula, and the
terminal table drops control characters (escape sequences could rewrite the reviewer's screen).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from html import escape

from bot.engine.core import ANSWERED, CLARIFY, FALLBACK, SMALLTALK
from bot.log.gaps import Cluster
from bot.log.stats import Stats, local_time
from bot.text.terminal import terminal_json, terminal_text

# Column headers in Chinese: the people who open the sheet are the knowledge's admins.
CSV_COLUMNS = ["次数", "用户数", "代表问题", "最近条目", "相似度", "首次出现", "最近出现", "示例"]
STATUS_NAMES = {ANSWERED: "回答", CLARIFY: "澄清", FALLBACK: "兜底", SMALLTALK: "闲聊"}
STATUS_COLOURS = {
    ANSWERED: "#2e7d32",
    CLARIFY: "#f9a825",
    FALLBACK: "#c62828",
    SMALLTALK: "#90a4ae",
}
# Near an existing entry: probably a phrasing to teach it; far: probably a new entry.
TEACH_SCORE = 0.35


def advice(cluster: Cluster) -> str:
    nearest = cluster.nearest
    if nearest and nearest.get("score", 0) >= TEACH_SCORE:
        return f"加为 {nearest['id']} 的相似问？"
    return "需要新条目？"


def gaps_json(clusters: list[Cluster]) -> str:
    return terminal_json({"clusters": [c.to_dict() for c in clusters]}, indent=2)


def when(at: str, zone: dt.tzinfo) -> str:
    """A log timestamp as the deployment's admins read it: local date and minute."""
    return local_time(at, zone).strftime("%Y-%m-%d %H:%M")


# A cell starting with one of these is a formula to Excel and LibreOffice (`=HYPERLINK(...)`,
# `=cmd|...`, `@SUM(...)`); tab and carriage return let a cell begin with one after all.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """A value a spreadsheet shows as text, never evaluates: text that would start a formula
    gets a leading apostrophe, as OWASP advises (CSV injection). Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# Characters of a logged question a report line shows (the CSV, JSON and HTML reports and the
# console keep it whole): a pasted paragraph was a screen of its own in the terminal table,
# and five of them, a Telegram message longer than Telegram takes.
SHOWN = 80


def shown(question: str) -> str:
    """A logged question as a report line shows it: its first SHOWN characters."""
    return question if len(question) <= SHOWN else question[: SHOWN - 1] + "…"


def gaps_csv(clusters: list[Cluster], zone: dt.tzinfo = dt.UTC) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese correctly; no cell a formula;
    times in `zone`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for c in clusters:
        row = [
            c.count,
            c.users,
            c.representative,
            c.nearest.get("id", ""),
            c.nearest.get("score", ""),
            when(c.first_seen, zone),
            when(c.last_seen, zone),
            " | ".join(c.examples),
        ]
        writer.writerow([spreadsheet_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def gaps_table(clusters: list[Cluster], zone: dt.tzinfo = dt.UTC) -> str:
    if not clusters:
        return "没有找到缺口：这段时间所有问题都答上了。"
    lines = []
    for number, c in enumerate(clusters, 1):
        nearest = f"{c.nearest.get('id', '-')} ({c.nearest.get('score', 0):.2f})"
        lines.append(
            f"{number:>3}. ×{c.count}  {c.users} 人  {terminal_text(shown(c.representative))}"
        )
        lines.append(
            f"     最近条目 {nearest} → {advice(c)}   "
            f"{when(c.first_seen, zone)[:10]} – {when(c.last_seen, zone)[:10]}"
        )
        for example in c.examples[1:]:
            lines.append(f"       · {terminal_text(shown(example))}")
    return "\n".join(lines)


def stats_table(stats: Stats) -> str:
    lines = [
        f"问题总数：{stats.total}",
        "渠道：" + (" · ".join(f"{name} {count}" for name, count in stats.channels.items()) or "-"),
        f"回答 {stats.rate(ANSWERED):.1%} · 澄清 {stats.rate(CLARIFY):.1%} · "
        f"兜底 {stats.rate(FALLBACK):.1%}（不含闲聊 {stats.statuses.get(SMALLTALK, 0)} 条）",
        f"反馈：👍 {stats.helpful} · 👎 {stats.unhelpful}",
        f"延迟：p50 {stats.latency_p50:.2f} ms · p95 {stats.latency_p95:.2f} ms",
        "",
        "最常回答的条目：",
        *(f"  {count:>5}  {entry_id}" for entry_id, count in stats.top_entries),
        "",
        "每天：          " + "".join(f"{STATUS_NAMES[s]:>7}" for s in STATUS_NAMES),
    ]
    for day, counts in stats.per_day.items():
        numbers = "".join(f"{counts.get(s, 0):>9}" for s in STATUS_NAMES)
        lines.append(f"  {day}{numbers}")
    return "\n".join(lines)


def chart(per_day: dict[str, dict]) -> str:
    """Daily volume as stacked bars, one colour per status, as inline SVG."""
    days = list(per_day)
    width, height, pad = max(420, 40 * len(days) + 60), 220, 40  # room for the 4-item legend
    peak = max((sum(c.values()) for c in per_day.values()), default=0) or 1
    bar = (width - pad - 20) / max(1, len(days))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="每日问题数量（按结果）" class="chart">',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - 10}" y2="{height - pad}" '
        'stroke="#555"/>',
        f'<text x="4" y="{pad - 20}" font-size="11">{peak}</text>',
    ]
    scale = (height - 2 * pad) / peak
    for index, day in enumerate(days):
        x, y = pad + index * bar + 4, height - pad
        for status in (ANSWERED, CLARIFY, FALLBACK, SMALLTALK):
            count = per_day[day].get(status, 0)
            if not count:
                continue
            tall = count * scale
            y -= tall
            parts.append(
                f'<rect class="bar" data-day="{day}" data-status="{status}" data-count="{count}" '
                f'x="{x:.1f}" y="{y:.1f}" width="{bar - 8:.1f}" height="{tall:.1f}" '
                f'fill="{STATUS_COLOURS[status]}"><title>{day} {STATUS_NAMES[status]}：{count}</title></rect>'
            )
        parts.append(f'<text x="{x:.1f}" y="{height - pad + 14}" font-size="10">{day[5:]}</text>')
    legend_x = pad
    for status, colour in STATUS_COLOURS.items():
        parts.append(
            f'<rect x="{legend_x}" y="{height - 14}" width="10" height="10" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{legend_x + 14}" y="{height - 5}" font-size="11">{STATUS_NAMES[status]}</text>'
        )
        legend_x += 90
    parts.append("</svg>")
    return "".join(parts)


def gaps_html(
    clusters: list[Cluster], stats: Stats, title: str, period: str, zone: dt.tzinfo = dt.UTC
) -> str:
    rows = []
    for number, c in enumerate(clusters, 1):
        examples = "<br>".join(escape(e) for e in c.examples)
        nearest = c.nearest.get("id", "")
        rows.append(
            "<tr>"
            f"<td>{number}</td><td>{c.count}</td><td>{c.users}</td>"
            f"<td>{escape(c.representative)}</td><td>{examples}</td>"
            f"<td>{escape(nearest)}</td><td>{c.nearest.get('score', '')}</td>"
            f"<td>{escape(advice(c))}</td>"
            f"<td>{when(c.first_seen, zone)}</td><td>{when(c.last_seen, zone)}</td>"
            "</tr>"
        )
    table = "\n".join(rows) or '<tr><td colspan="10">没有缺口</td></tr>'
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{escape(title)}</title>
<style>
body {{ font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif;
       margin: 2em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; vertical-align: top; text-align: left; }}
th {{ background: #f0f0f0; }}
.summary {{ color: #555; }}
</style>
</head>
<body>
<h1>{escape(title)}</h1>
<p class="summary">{escape(period)} · 问题 {stats.total} 条 ·
回答 {stats.rate(ANSWERED):.1%} · 澄清 {stats.rate(CLARIFY):.1%} · 兜底 {stats.rate(FALLBACK):.1%} ·
👍 {stats.helpful} · 👎 {stats.unhelpful}</p>
<h2>每日问题数量</h2>
{chart(stats.per_day)}
<h2>缺口（{len(clusters)} 组）</h2>
<table id="clusters">
<thead><tr><th>#</th><th>次数</th><th>用户数</th><th>代表问题</th><th>示例</th><th>最近条目</th>
<th>相似度</th><th>建议</th><th>首次出现（{escape(str(zone))}）</th><th>最近出现</th></tr></thead>
<tbody>
{table}
</tbody>
</table>
</body>
</html>
"""
