"""Gap clustering and reports on a fixture log."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import replace
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from bot.log.database import since_to_iso
from bot.log.gaps import cluster, gap_exchanges
from bot.log.reports import SHOWN, gaps_csv, gaps_html, gaps_json, gaps_table, stats_table
from bot.log.stats import stats
from bot.log.store import UNHELPFUL, Exchange, Feedback, SQLiteStore

# (question, status, entry, day, user): what a week of real traffic might look like.
TRAFFIC = [
    ("公积金怎么提取", "fallback", None, "2026-11-18", "u1"),
    ("住房公积金怎么提取啊", "fallback", None, "2026-11-19", "u2"),
    ("公积金提取怎么办理", "fallback", None, "2026-11-20", "u3"),
    ("公积金怎么提取", "fallback", None, "2026-11-21", "u1"),
    ("营业执照年报怎么报", "fallback", None, "2026-11-19", "u4"),
    ("营业执照年报在哪报", "fallback", None, "2026-11-22", "u5"),
    ("放管服里的放怎么放的", "clarify", None, "2026-11-20", "u6"),
    ("复工复产去哪个窗口办理", "answered", "fugong-zhuanchuang", "2026-11-20", "u7"),
    ("信用修复要多久", "answered", "qiye-xinyong-xiufu", "2026-11-21", "u8"),
    ("你好", "smalltalk", None, "2026-11-21", "u8"),
    ("公积金怎么提取", "fallback", None, "2026-10-01", "u9"),  # before the period
]


@pytest.fixture
def store(tmp_path):
    store = SQLiteStore(tmp_path / "log.sqlite3")
    for number, (question, status, entry, day, user) in enumerate(TRAFFIC):
        store.add_exchange(
            Exchange(
                id=f"ex{number:02d}",
                at=f"{day}T08:00:{number:02d}.000+00:00",
                channel="telegram",
                chat_type="private",
                user_key=user,
                question=question,
                status=status,
                entry_id=entry,
                score=0.5,
                candidates=[],
                latency_ms=1.0 + number,
                knowledge_version="v1",
            )
        )
    store.add_feedback(
        Feedback("ex08", "2026-11-21T09:00:00.000+00:00", UNHELPFUL, "qiye-xinyong-xiufu", "u8")
    )
    yield store
    store.close()


SINCE = "2026-11-15T00:00:00.000+00:00"


def test_gap_exchanges_are_fallbacks_clarifies_and_thumbs_down(store):
    questions = [e.question for e in gap_exchanges(store, SINCE)]
    assert "信用修复要多久" in questions  # answered, but 👎
    assert "复工复产去哪个窗口办理" not in questions and "你好" not in questions
    assert len(questions) == 8


def test_similar_questions_cluster_together_largest_first(store, engine):
    clusters = cluster(gap_exchanges(store, SINCE), engine)
    first = clusters[0]
    assert first.count == 4 and first.users == 3
    assert first.representative == "公积金怎么提取"
    assert set(first.examples) == {"公积金怎么提取", "住房公积金怎么提取啊", "公积金提取怎么办理"}
    assert first.first_seen.startswith("2026-11-18") and first.last_seen.startswith("2026-11-21")
    second = clusters[1]
    assert second.count == 2 and set(second.examples) == {
        "营业执照年报怎么报",
        "营业执照年报在哪报",
    }
    counts = [c.count for c in clusters]
    assert counts == sorted(counts, reverse=True) and sum(counts) == 8
    by_question = {c.representative: c for c in clusters}
    assert by_question["放管服里的放怎么放的"].nearest["id"] in {"fgf-fang", "fgf-chengxiao"}
    assert by_question["信用修复要多久"].nearest == {
        "id": "qiye-xinyong-xiufu",
        "score": pytest.approx(by_question["信用修复要多久"].nearest["score"]),
    }
    assert cluster(gap_exchanges(store, SINCE), engine, min_count=2)[-1].count == 2


def test_json_report_shape(store, engine):
    data = json.loads(gaps_json(cluster(gap_exchanges(store, SINCE), engine)))
    first = data["clusters"][0]
    assert {
        "representative",
        "count",
        "users",
        "first_seen",
        "last_seen",
        "examples",
        "nearest",
    } <= set(first)
    assert set(first["nearest"]) == {"id", "score"}


def test_csv_opens_in_excel(store, engine):
    raw = gaps_csv(cluster(gap_exchanges(store, SINCE), engine))
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["代表问题"] == "公积金怎么提取" and rows[0]["次数"] == "4"


def test_reports_speak_chinese_and_local_time(store, engine):
    shanghai = ZoneInfo("Asia/Shanghai")
    clusters = cluster(gap_exchanges(store, SINCE), engine)
    rows = list(csv.DictReader(io.StringIO(gaps_csv(clusters, shanghai).decode("utf-8-sig"))))
    first_utc = dt.datetime.fromisoformat(clusters[0].first_seen)
    assert rows[0]["首次出现"] == (first_utc + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    html = gaps_html(clusters, stats(store, SINCE, zone=shanghai), "t", "p", shanghai)
    assert all(name in html for name in ("回答", "澄清", "兜底", "闲聊", "Asia/Shanghai"))
    assert ">answered<" not in html and ">fallback<" not in html


def test_days_are_counted_in_the_deployments_time_zone(store):
    utc = stats(store, SINCE).per_day
    local = stats(store, SINCE, zone=ZoneInfo("Asia/Shanghai")).per_day
    assert sum(sum(c.values()) for c in utc.values()) == sum(
        sum(c.values()) for c in local.values()
    )


class Page(HTMLParser):
    """Collects what the HTML report's reader would see: external references, bars, table."""

    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.bars: list[dict] = []
        self.rows: list[list[str]] = []
        self.in_table = False
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("src", "href"):
            if key in attrs:
                self.external.append(attrs[key])
        if tag in ("script", "link", "iframe", "img"):
            self.external.append(tag)
        if tag == "rect" and "data-status" in attrs:
            self.bars.append(attrs)
        if tag == "tbody":
            self.in_table = True
        if self.in_table and tag == "tr":
            self.rows.append([])
        if self.in_table and tag == "td":
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.in_table = False
        if tag == "td" and self.cell is not None:
            self.rows[-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_html_report_is_self_contained_with_chart_and_table(store, engine):
    clusters = cluster(gap_exchanges(store, SINCE), engine)
    html = gaps_html(clusters, stats(store, SINCE), "缺口报告", "自 2026-11-15 起")
    page = Page()
    page.feed(html)
    assert page.external == []
    days = {bar["data-day"] for bar in page.bars}
    assert days == {"2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22"}
    fallback_1120 = [
        b for b in page.bars if b["data-day"] == "2026-11-20" and b["data-status"] == "fallback"
    ]
    assert fallback_1120[0]["data-count"] == "1"
    assert len(page.rows) == len(clusters)
    assert page.rows[0][1] == "4" and page.rows[0][3] == "公积金怎么提取"


def test_html_escapes_questions(tmp_path, engine):
    store = SQLiteStore(tmp_path / "x.sqlite3")
    store.add_exchange(gaps_of(["<script>alert(1)</script>"])[0])
    html = gaps_html(cluster(gap_exchanges(store), engine), stats(store), "t", "p")
    assert "<script>" not in html and "&lt;script&gt;" in html
    store.close()


def test_stats(store):
    numbers = stats(store, SINCE)
    assert numbers.total == 10
    assert numbers.statuses == {"fallback": 6, "clarify": 1, "answered": 2, "smalltalk": 1}
    assert numbers.rate("answered") == pytest.approx(2 / 9)
    assert numbers.unhelpful == 1 and numbers.helpful == 0
    assert numbers.top_entries[0][1] == 1
    assert numbers.per_day["2026-11-20"] == {"fallback": 1, "clarify": 1, "answered": 1}
    assert numbers.latency_p50 > 0 and numbers.latency_p95 >= numbers.latency_p50
    table = stats_table(numbers)
    assert "问题总数：10" in table and "2026-11-22" in table


def test_table_output_suggests_what_to_do(store, engine):
    text = gaps_table(cluster(gap_exchanges(store, SINCE), engine))
    assert "×4" in text and "需要新条目" in text


def test_since_parsing():
    import datetime as dt

    today = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
    assert since_to_iso("7d", today).startswith("2026-11-18")
    assert since_to_iso("24h", today).startswith("2026-11-24")
    assert since_to_iso("2w", today).startswith("2026-11-11")
    assert since_to_iso("2026-11-01").startswith("2026-11-01")
    assert since_to_iso(None) is None
    with pytest.raises(ValueError):
        since_to_iso("last week")


@pytest.mark.parametrize("period", ["3000000d", "999999999999d", "99999999999999999999w"])
def test_a_period_longer_than_the_calendar_is_everything(period):
    # `stats --since 999999999999d` (all of it, as someone types it) was an OverflowError
    # traceback from datetime; a period reaching before year 1 means the whole log.
    assert since_to_iso(period) == "0001-01-01T00:00:00.000+00:00"


def gaps_of(questions: list[str]) -> list[Exchange]:
    return [
        Exchange(
            id=f"g{number}",
            at=f"2026-11-20T08:{number // 60 % 60:02d}:{number % 60:02d}.000+00:00",
            channel="telegram",
            chat_type="private",
            user_key=f"u{number}",
            question=question,
            status="fallback",
            entry_id=None,
            score=0.1,
            candidates=[],
            latency_ms=1.0,
            knowledge_version="v1",
        )
        for number, question in enumerate(questions)
    ]


def test_questions_sharing_only_frame_words_stay_apart(engine):
    """个税 and 公积金 are different subjects however alike `…怎么办` reads."""
    found = cluster(
        gaps_of(
            [
                "公积金怎么办",
                "公积金怎么办",
                "住房公积金怎么办",
                "个税怎么办",
                "社保在哪",
                "个税在哪",
            ]
        ),
        engine,
    )
    groups = [set(c.examples) for c in found]
    assert {"公积金怎么办", "住房公积金怎么办"} in groups
    assert not any("个税怎么办" in g and "公积金怎么办" in g for g in groups)
    assert not any("社保在哪" in g and "个税在哪" in g for g in groups)
    assert any({"个税怎么办", "个税在哪"} <= g for g in groups)  # one subject, two frames


def test_homophone_typos_still_cluster(engine):
    found = cluster(gaps_of(["公积金怎么提取", "公积金怎么提取", "公基金怎么提取"]), engine)
    assert len(found) == 1 and found[0].count == 3


def test_each_question_is_scored_against_a_bounded_number_of_leaders(engine, monkeypatch):
    """Thousands of distinct questions: each is compared with at most SCORED leaders found
    through shared content words, never with every leader (what made it quadratic)."""
    import bot.log.gaps as gaps

    subjects = [f"{a}{b}" for a in "甲乙丙丁戊己庚辛壬癸" for b in "子丑寅卯辰巳午未申酉戌亥"]
    questions = [f"{s}{w}怎么办理" for s in subjects for w in ("许可", "备案", "年检", "补贴")]
    compared = []
    original = gaps.process.extractOne

    def counted(query, choices, **kwargs):
        compared.append(len(choices))
        return original(query, choices, **kwargs)

    monkeypatch.setattr(gaps.process, "extractOne", counted)
    found = cluster(gaps_of(questions), engine)
    assert max(compared) <= gaps.SCORED
    assert sum(c.count for c in found) == len(questions)


def test_the_nearest_entry_comes_from_the_log_when_the_version_is_current(engine):
    logged = gaps_of(["营业执照年报去哪报"])
    current = [replace(logged[0], knowledge_version=engine.knowledge.version)]
    current[0].candidates.append({"id": "logged-entry", "score": 0.41234})
    assert cluster(current, engine)[0].nearest == {"id": "logged-entry", "score": 0.412}
    # Logged by another version: searched again with the knowledge in use.
    assert cluster(logged, engine)[0].nearest["id"] != "logged-entry"


def test_a_long_message_does_not_gather_the_short_questions_it_mentions(engine):
    """A rambling message touching several subjects, sent twice (people send a message again
    when the bot does not know), led a cluster, and every shorter question sharing a few of its
    words joined it: 营业执照年报 and 公积金 were filed under it, out of the reviewer's sight."""
    rambling = (
        "你好，我们是做物流的小公司，想问一下复工复产去哪个窗口办理，"
        "另外营业执照年报在哪里报，员工的住房公积金怎么提取，麻烦告诉一下，谢谢"
    )
    found = cluster(
        gaps_of(
            [
                rambling,
                rambling,
                "营业执照年报怎么报",
                "营业执照年报在哪报",
                "公积金怎么提取",
                "公积金提取怎么办理",
            ]
        ),
        engine,
    )
    groups = [set(c.questions) for c in found]
    assert {"营业执照年报怎么报", "营业执照年报在哪报"} in groups
    assert {"公积金怎么提取", "公积金提取怎么办理"} in groups


def test_the_terminal_table_shows_a_pasted_paragraph_cut(engine):
    paragraph = "我们公司是做物流的，想问一下复工复产去哪个窗口办理，" * 20
    table = gaps_table(cluster(gaps_of([paragraph, paragraph + "谢谢"]), engine))
    assert paragraph[: SHOWN - 1] + "…" in table and len(table) < 4 * SHOWN
