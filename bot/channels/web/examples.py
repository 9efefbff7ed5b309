"""The web API's examples: real answers from the Fuyuan knowledge, shown in its OpenAPI
description (`bot.channels.web.openapi`) and checked against the shipped knowledge by
tests/test_docs.py; another city's knowledge is served the description without them
(`bot.channels.web.api.examples_hold`)."""

from __future__ import annotations

from typing import Any

QUESTION = "复工复产去哪个窗口办理"
# The examples' texts are the shipped knowledge's (tests/test_docs.py checks them).
ANSWERED = (
    "抚远市在政务服务中心新增设了企业复工复产专窗，并开设复工复产绿色通道。"
    "企业办理复工复产相关事项，可到政务服务中心的复工复产专窗。（据2022年5月26日报道）"
)
WHERE_TO_TURN = (
    "抱歉，知识库里暂时没有这个问题的答案，我不想给您不准确的信息。\n"
    "您可以拨打 12345 政务服务热线咨询，或到抚远市政务服务中心咨询。"
)
NEAR = {"id": "quyu-heixiazidao", "question": "黑瞎子岛中俄国际合作示范区是怎么规划的？"}
ANSWER_EXAMPLE: dict[str, Any] = {
    "question": QUESTION,
    "status": "answered",
    "answer": ANSWERED,
    "entry_id": "fugong-zhuanchuang",
    "score": 0.93,
    "candidates": [
        {"id": "fugong-zhuanchuang", "question": "企业复工复产去哪个窗口办理？", "score": 0.93},
        {"id": "fugong-lvse-tongdao", "question": "复工复产有没有绿色通道？", "score": 0.61},
    ],
    "sources": [
        {
            "document": "fuyuan-2022-05-26",
            "title": "【市外媒体看抚远】抚远:加速推进项目建设 持续优化营商环境",
            "date": "2022-05-26",
            "quote": "抚远市在政务服务中心新增设企业复工复产专窗,开设复工复产绿色通道",
        }
    ],
    "took_ms": 0.8,
    "exchange": "3f9a1c0b2d4e",
    "choices": [],
    "related": [{"id": "fugong-lvse-tongdao", "question": "复工复产有没有绿色通道？"}],
    "text": ANSWERED,
    "near_heading": None,
}
CLARIFY_EXAMPLE: dict[str, Any] = {
    "question": "您好，我想了解一下抚远的营商环境",
    "status": "clarify",
    "answer": "您是想问：\n1. 对破坏投资环境的行为怎么处理？\n2. 抚远市“放管服”改革取得了哪些成效？"
    "\n3. “办事不求人”有什么文件或实施方案？\n0. 都不是",
    "entry_id": None,
    "score": 0.71,
    "candidates": [],
    "sources": [],
    "took_ms": 0.9,
    "exchange": "a81b22c39d00",
    "choices": [
        {"id": "qiye-sunhai-huanjing", "question": "对破坏投资环境的行为怎么处理？"},
        {"id": "fgf-chengxiao", "question": "抚远市“放管服”改革取得了哪些成效？"},
        {"id": "banshi-fangan", "question": "“办事不求人”有什么文件或实施方案？"},
    ],
    "related": [],
    "text": "您是想问：",
    "near_heading": None,
}
FALLBACK_EXAMPLE: dict[str, Any] = {
    "question": "黑瞎子岛门票多少钱",
    "status": "fallback",
    "answer": f"{WHERE_TO_TURN}\n您也可以看看这些相关问题：\n· {NEAR['question']}",
    "entry_id": None,
    "score": 0.3,
    "candidates": [],
    "sources": [],
    "took_ms": 0.7,
    "exchange": "77c0de15aa02",
    "choices": [],
    "near": [NEAR],
    "related": [],
    "text": WHERE_TO_TURN,
    "near_heading": "您也可以看看这些相关问题：",
}
TOPICS_EXAMPLE = {
    "name": "抚远营商环境政策问答",
    "welcome": "您好！我是抚远营商环境政策问答机器人。……",
    "version": "3c9d2a1f",
    "topics": [
        {
            "category": "复工复产与服务窗口",
            "count": 1,
            "questions": [{"id": "fugong-zhuanchuang", "question": "企业复工复产去哪个窗口办理？"}],
        }
    ],
}
