"""The API's OpenAPI 3.1 description, served at `/api/v1/openapi.json`, with Chinese examples.

Written out by hand: the API is small, and the examples (real answers from the Fuyuan
knowledge) are what a portal's developers read first; another city's knowledge is served the
description without them (`bot.channels.web.api.examples_hold`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from bot import __version__
from bot.channels.web.examples import (
    ANSWER_EXAMPLE,
    CLARIFY_EXAMPLE,
    FALLBACK_EXAMPLE,
    QUESTION,
    TOPICS_EXAMPLE,
)

# Questions per category in `/api/v1/topics`, and per page of `?category=…&page=N`: every
# category's questions made the reply megabytes at 100k entries (probe24), fetched at each first
# opening of the widget. The shipped knowledge's largest category is well under it.
TOPIC_PAGE = 50


def error(code: str, zh: str, en: str) -> dict:
    return {"error": {"code": code, "message": zh, "message_en": en}}


ERRORS = {
    "400": ("请求不是 JSON 对象", "not_json", "请求格式不对：请用 JSON 对象发送。"),
    "413": ("请求体超过上限", "too_large", "内容太长了（上限 16 KB），请精简后再问。"),
    "422": ("缺少字段或字段无效", "invalid", "请填写问题（question）。"),
    "429": ("请求太频繁（见 Retry-After）", "rate_limited", "您提问太快了，请 5 秒后再试。"),
}


def error_responses(*statuses: str) -> dict:
    return {
        status: {
            "description": ERRORS[status][0],
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"},
                    "example": error(ERRORS[status][1], ERRORS[status][2], "…"),
                }
            },
        }
        for status in statuses
    }


def json_content(schema: str, examples: dict) -> dict:
    return {
        "application/json": {
            "schema": {"$ref": f"#/components/schemas/{schema}"},
            "examples": {name: {"value": value} for name, value in examples.items()},
        }
    }


def json_body(schema: str, examples: dict) -> dict:
    return {"required": True, "content": json_content(schema, examples)}


def example_response(description: str, example: dict) -> dict:
    return {
        "200": {"description": description, "content": {"application/json": {"example": example}}}
    }


def answer_response(examples: dict) -> dict:
    return {
        "200": {
            "description": "回答（与 policybot ask --json 相同的字段，"
            "另加 exchange、choices、related、text、near_heading）",
            "content": json_content("Answer", examples),
        }
    }


ITEM: dict[str, Any] = {
    "type": "object",
    "required": ["id", "question"],
    "properties": {"id": {"type": "string"}, "question": {"type": "string"}},
}


@cache
def openapi() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "policybot 营商环境政策问答 API",
            "version": __version__,
            "description": "从知识库回答企业的营商环境政策问题。答案都注明出处；不确定时返回"
            "“您是想问”选项（clarify），答不上时说明去哪里咨询（fallback）。"
            "每次问答和评价都记入交流记录（渠道 web，用户以假名记录）。",
        },
        "paths": {
            "/api/v1/ask": {
                "post": {
                    "summary": "提问",
                    "requestBody": json_body(
                        "Ask",
                        {
                            "复工复产": {"question": QUESTION, "session": "s-5f2c9e"},
                            "错别字": {"question": "办事不球人"},
                        },
                    ),
                    "responses": {
                        **answer_response(
                            {
                                "回答": ANSWER_EXAMPLE,
                                "您是想问": CLARIFY_EXAMPLE,
                                "答不上": FALLBACK_EXAMPLE,
                            }
                        ),
                        **error_responses("400", "413", "422", "429"),
                    },
                }
            },
            "/api/v1/pick": {
                "post": {
                    "summary": "选择“您是想问”中的一项，或“都不是”（entry_id 为 null）",
                    "requestBody": json_body(
                        "Pick",
                        {
                            "选一项": {"exchange": "a81b22c39d00", "entry_id": "fgf-fang"},
                            "都不是": {"exchange": "a81b22c39d00", "entry_id": None},
                        },
                    ),
                    "responses": {
                        **answer_response({"回答": ANSWER_EXAMPLE, "都不是": FALLBACK_EXAMPLE}),
                        "404": {"description": "没有这个条目（知识库可能已更新）"},
                        "409": {"description": "exchange 未知，或这次问答没有提供这个选项"},
                        **error_responses("400", "413", "422", "429"),
                    },
                }
            },
            "/api/v1/feedback": {
                "post": {
                    "summary": "评价一个回答：有帮助 / 没帮助",
                    "requestBody": json_body(
                        "Feedback",
                        {
                            "有帮助": {
                                "exchange": "3f9a1c0b2d4e",
                                "vote": "helpful",
                                "entry_id": "fugong-zhuanchuang",
                            }
                        },
                    ),
                    "responses": {
                        **example_response("已记录", {"ok": True, "message": "谢谢您的反馈！"}),
                        "404": {"description": "没有这个条目"},
                        "409": {"description": "exchange 未知（评价须带上 /api/v1/ask 返回的）"},
                        **error_responses("400", "413", "422", "429"),
                    },
                }
            },
            "/api/v1/entries/{entry_id}": {
                "get": {
                    "summary": "一个条目的回答（相关问题、分享链接用）",
                    "parameters": [
                        {
                            "name": "entry_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                            "example": "fugong-zhuanchuang",
                        },
                        {
                            "name": "session",
                            "in": "query",
                            "required": False,
                            "description": "同 /api/v1/ask 的 session：此后这个会话里的追问"
                            "（那怎么申请？）按这个条目理解",
                            "schema": {"type": "string", "maxLength": 128},
                        },
                    ],
                    "responses": {
                        **answer_response(
                            {
                                "条目": {
                                    **ANSWER_EXAMPLE,
                                    "exchange": None,
                                    "category": "复工复产与服务窗口",
                                }
                            }
                        ),
                        "404": {"description": "没有这个条目"},
                    },
                }
            },
            "/api/v1/topics": {
                "get": {
                    "summary": f"按主题列出问题：每个主题的问题数（count）和前 {TOPIC_PAGE} 个；"
                    "带 category（和 page，从 0 起）时只给该主题的那一页",
                    "parameters": [
                        {"name": "category", "in": "query", "schema": {"type": "string"}},
                        {
                            "name": "page",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 0},
                        },
                    ],
                    "responses": {
                        **example_response("机器人的名称、欢迎语和全部主题", TOPICS_EXAMPLE),
                        "404": {"description": "没有这个主题（no_topic）"},
                        "422": {"description": "page 超出范围（invalid）"},
                    },
                }
            },
            "/healthz": {
                "get": {
                    "summary": "存活检查：服务在运行，以及正在使用的知识库版本",
                    "responses": example_response(
                        "正常",
                        {
                            "status": "ok",
                            "knowledge_version": "3c9d2a1f",
                            "entries": 120,
                            "uptime_s": 3600.0,
                        },
                    ),
                }
            },
        },
        "components": {
            "schemas": {
                "Ask": {
                    "type": "object",
                    "required": ["question"],
                    "properties": {
                        "question": {"type": "string", "minLength": 1, "description": "问题"},
                        "session": {
                            "type": "string",
                            "maxLength": 128,
                            "description": (
                                "可选：会话标识（不透明），记录时只存其假名；"
                                "同一会话 10 分钟内可输入序号、“是”或“都不是”回答刚收到的列表"
                            ),
                        },
                    },
                },
                "Pick": {
                    "type": "object",
                    "properties": {
                        "exchange": {"type": ["string", "null"]},
                        "entry_id": {"type": ["string", "null"], "description": "null 表示都不是"},
                        "session": {"type": "string", "maxLength": 128},
                    },
                },
                "Feedback": {
                    "type": "object",
                    "required": ["vote"],
                    "properties": {
                        "exchange": {"type": ["string", "null"]},
                        "vote": {"enum": ["helpful", "unhelpful"]},
                        "entry_id": {"type": ["string", "null"]},
                        "session": {"type": "string", "maxLength": 128},
                    },
                },
                "Answer": {
                    "type": "object",
                    "required": ["question", "status", "answer", "candidates", "sources"],
                    "properties": {
                        "question": {"type": "string"},
                        "status": {"enum": ["answered", "clarify", "fallback", "smalltalk"]},
                        "answer": {"type": "string", "description": "用户看到的全文（含选项）"},
                        "text": {"type": "string", "description": "选项、相近主题以外的文字"},
                        "near_heading": {
                            "type": ["string", "null"],
                            "description": "相近主题的标题",
                        },
                        "entry_id": {"type": ["string", "null"]},
                        "score": {"type": "number", "minimum": 0, "maximum": 1},
                        "candidates": {
                            "type": "array",
                            "items": {
                                **ITEM,
                                "properties": {**ITEM["properties"], "score": {"type": "number"}},
                            },
                        },
                        "sources": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "document": {"type": "string"},
                                    "title": {"type": "string"},
                                    "date": {"type": "string"},
                                    "quote": {"type": "string", "description": "原文逐字引用"},
                                },
                            },
                        },
                        "took_ms": {"type": "number"},
                        "context": {"type": ["string", "null"]},
                        "read_as": {"type": "string", "description": "引擎读成的问题"},
                        "confirm": {"type": "boolean", "description": "只有一个选项的确认"},
                        "near": {"type": "array", "items": ITEM, "description": "相近的主题"},
                        "language": {"type": ["string", "null"], "description": "外语问题的语言"},
                        "also": {
                            "type": "array",
                            "items": {"type": "object"},
                            "description": "一句话问两件事时，另一件事的回答（条目、问题、回答、来源）",
                        },
                        "focus": {"type": ["string", "null"], "description": "问题想要的答案类型"},
                        "uncovered": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "word": {"type": "string"},
                                    "weight": {"type": "number"},
                                },
                            },
                            "description": "条目没有覆盖的问题用词",
                        },
                        "check": {"type": "object", "description": "最佳候选能否回答的检查"},
                        "exchange": {
                            "type": ["string", "null"],
                            "description": "本次问答的编号，评价和选择时带上",
                        },
                        "choices": {"type": "array", "items": ITEM, "description": "您是想问"},
                        "related": {"type": "array", "items": ITEM, "description": "相关问题"},
                    },
                },
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string", "description": "中文说明"},
                                "message_en": {"type": "string"},
                            },
                        }
                    },
                },
            }
        },
    }
