"""Generated FAQ knowledge for the benchmarks: varied government-service questions, in bulk.

Nothing here is a fact about any city: the entries exist to be searched through. Each entry has
a standard question and similar wordings, as admins write them.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from bot.knowledge.model import Document, Entry, Knowledge, Source, Texts

from variants import HOMOPHONES

SUBJECTS = [
    "营业执照",
    "社保",
    "医保",
    "公积金",
    "税务登记",
    "不动产登记",
    "食品经营许可",
    "建设工程规划",
    "消防验收",
    "排污许可",
    "出口退税",
    "进出口备案",
    "企业开办",
    "信用修复",
    "招商引资",
    "施工许可",
    "道路运输",
    "药品经营",
    "特种设备",
    "人才补贴",
    "创业担保贷款",
    "稳岗返还",
    "高新技术企业",
    "专利申请",
    "商标注册",
    "农业补贴",
    "林权登记",
    "渔业捕捞",
    "冷链运输",
    "跨境电商",
]
ACTIONS = [
    "怎么办理",
    "需要什么材料",
    "在哪里办",
    "多长时间",
    "收费吗",
    "可以网上办吗",
    "有什么条件",
    "流程是什么",
    "找哪个部门",
    "能加急吗",
]
PLACES = ["市", "县", "区", "乡镇", "开发区", "口岸", "园区", "街道"]
WHO = [
    "个体户",
    "小微企业",
    "外资企业",
    "农民专业合作社",
    "新开办企业",
    "退役军人",
    "高校毕业生",
    "外贸企业",
]
# Input-method slips: eight characters of bench/variants.py's and the homophone typed instead.
TYPOS = {char: HOMOPHONES[char] for char in "办理证需要请登记"}
DOCUMENT = Document("synthetic", "合成测试文档", "2026-01-01", text="合成文档。")


def entry(number: int, questions: list[str], subject: str) -> Entry:
    return Entry(
        f"s{number}",
        "合成",
        questions[0],
        tuple(questions[1:]),
        f"{subject}办理说明。",
        Source(DOCUMENT.id, DOCUMENT.text),
    )


def templated(
    size: int, rng: random.Random, first: int = 0, subjects: list[str] = SUBJECTS
) -> list[Entry]:
    """`size` entries, each a subject, an action, a place and who asks, with a tag number so
    that no two are the same question."""
    entries = []
    for number in range(first, first + size):
        subject, action = rng.choice(subjects), rng.choice(ACTIONS)
        place, who = rng.choice(PLACES), rng.choice(WHO)
        tag = f"{number}号"
        entries.append(
            entry(
                number,
                [
                    f"{who}在{place}{subject}{action}（{tag}）",
                    f"{subject}{action}{tag}",
                    f"{place}的{who}{subject}咋{action[-2:]}{tag}",
                    f"请问{subject}{tag}{action}",
                    f"{who}{subject}{tag}",
                ],
                subject,
            )
        )
    return entries


def knowledge_of(entries: list[Entry], base: Knowledge | None = None) -> Knowledge:
    """A knowledge base of `entries`, after those of `base` if given."""
    if base is not None:
        documents = {**base.documents, DOCUMENT.id: DOCUMENT}
        return replace(base, entries=(*base.entries, *entries), documents=documents, by_id={})
    texts = Texts("bench", "w", "h", "f", "c", "e")
    return Knowledge(
        Path("."), "bench", texts, tuple(entries), {DOCUMENT.id: DOCUMENT}, (), ("合成",)
    )


def synthetic(size: int, rng: random.Random) -> Knowledge:
    return knowledge_of(templated(size, rng))


def typo(text: str, rng: random.Random) -> str:
    chars = list(text)
    for position, char in enumerate(chars):
        if char in TYPOS and rng.random() < 0.3:
            chars[position] = TYPOS[char]
    return "".join(chars)
