"""Builders for Telegram updates as the Bot API sends them (plain dicts, Bot API field names)."""

from __future__ import annotations

import itertools
import time

from tests.support.botapi import BOT_USER

USER_ID = 1001
ADMIN_ID = 4242
GROUP_ID = -1001234567
_message_ids = itertools.count(1)
_update_ids = itertools.count(1)


def update(**content) -> dict:
    return {"update_id": next(_update_ids), **content}


def user(user_id: int = USER_ID) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": "用户", "language_code": "zh-hans"}


def _message(chat: dict, sender: dict, text: str | None = None, **extra) -> dict:
    message = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": sender,
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    message.update(extra)
    return message


def private_chat(user_id: int = USER_ID) -> dict:
    return {"id": user_id, "type": "private", "first_name": "用户"}


def private_text(text: str, user_id: int = USER_ID, edited: bool = False) -> dict:
    message = _message(private_chat(user_id), user(user_id), text)
    return update(**{"edited_message" if edited else "message": message})


def group_text(
    text: str,
    user_id: int = USER_ID,
    reply_to_bot: bool = False,
    group_id: int = GROUP_ID,
    topic: int | None = None,
    replying_to: str | None = None,
) -> dict:
    """A message in a supergroup; with `topic`, in that topic of a forum group; with
    `replying_to`, a reply to a message of that text by another member."""
    chat = {"id": group_id, "type": "supergroup", "title": "抚远企业交流群"}
    extra: dict = {}
    if topic is not None:
        chat["is_forum"] = True
        extra |= {"message_thread_id": topic, "is_topic_message": True}
    if reply_to_bot:
        extra["reply_to_message"] = _message(chat, BOT_USER, "之前的回答")
    if replying_to is not None:
        extra["reply_to_message"] = _message(chat, user(user_id + 1), replying_to)
    message = _message(chat, user(user_id), text, **extra)
    mention = f"@{BOT_USER['username']}"
    if mention in text:
        entities = message.setdefault("entities", [])
        entities.append({"type": "mention", "offset": text.index(mention), "length": len(mention)})
    return update(message=message)


def photo(user_id: int = USER_ID) -> dict:
    size = {"file_id": "AgAD", "file_unique_id": "u1", "width": 90, "height": 90}
    return update(message=_message(private_chat(user_id), user(user_id), photo=[size]))


def sticker(user_id: int = USER_ID) -> dict:
    item = {
        "file_id": "CAAD",
        "file_unique_id": "s1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    return update(message=_message(private_chat(user_id), user(user_id), sticker=item))


def location(user_id: int = USER_ID) -> dict:
    spot = {"latitude": 48.36, "longitude": 134.29}
    return update(message=_message(private_chat(user_id), user(user_id), location=spot))


def callback(data: str, message: dict, user_id: int = USER_ID) -> dict:
    """A tap on a button under `message` (a message dict the bot sent)."""
    query = {
        "id": f"cb{next(_message_ids)}",
        "from": user(user_id),
        "chat_instance": "ci1",
        "data": data,
        "message": message,
    }
    return update(callback_query=query)


def inline_query(query: str, user_id: int = USER_ID) -> dict:
    asked = {"id": f"iq{next(_message_ids)}", "from": user(user_id), "query": query, "offset": ""}
    return update(inline_query=asked)
