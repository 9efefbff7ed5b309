"""WeChat conversations: one incoming message (its fields) in, the text to reply with out.

Questions go to the application seam (`bot.app`), which answers and logs them; this module only
keeps what each user was last offered, so that "1" picks from a "您是想问" list, "更多" brings the
rest of a long answer, and a menu click lists a topic's questions.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from bot.app import Service
from bot.channels.render import category_key, find_category
from bot.channels.wechat import replies
from bot.channels.wechat.replies import ENTRY, MORE_WORDS, TOPIC_WORDS, Option, Reply, compact
from bot.channels.wechat.state import DECLINE, OUT_OF_RANGE, PICK, Expiring, Turn, resolve
from bot.log.store import PICKED

CHANNEL = "wechat"
CHAT_TYPE = "private"  # a 公众号 conversation is always one user and the account
TYPE_PLEASE = "我只能读懂文字消息，请直接输入您的问题，例如“复工复产去哪个窗口办理”。"
EXPIRED = "这个序号已过期，请重新输入您的问题，或回复“主题”按主题浏览。"
STALE = "这个选项已过期（知识库已更新），请重新输入您的问题。"
NOTHING_MORE = "没有更多内容了，请直接输入您的问题。"
DECLINED = "好的。请换个说法再问一次，或回复“主题”按主题浏览。"
BROWSE = "回复“主题”可按主题浏览问题。"
# Menu keys (bot.channels.wechat.menu): one topic's questions, all topics, how to ask.
TOPIC_KEY, TOPICS_KEY, HELP_KEY = "TOPIC_", "TOPICS", "HELP"
MESSAGES_NOT_TEXT = frozenset({"image", "voice", "video", "shortvideo", "location", "link", "file"})
TURN_SECONDS = 600  # how long a numbered list or the rest of a long answer can be asked for
TURN_USERS = 100_000  # users remembered at once, at most (~1 KB each)


class Chat:
    """The WeChat channel's conversations, over the application seam."""

    def __init__(self, service: Service, turns: Expiring[str, Turn] | None = None) -> None:
        self.service = service
        self.turns = turns or Expiring(TURN_SECONDS, TURN_USERS)
        # Users are remembered under a keyed hash, never their OpenID, even in memory.
        self.salt = secrets.token_bytes(16)

    def user_key(self, openid: str) -> str:
        """A pseudonymous key for a user, stable while the process runs; safe to log."""
        return hmac.new(self.salt, openid.encode(), hashlib.sha256).hexdigest()[:16]

    def reply(self, message: dict[str, str]) -> str | None:
        """The text to answer a message with, or None for no reply at all."""
        kind = message.get("MsgType", "")
        openid = message.get("FromUserName", "")
        if kind == "text":
            return self.text(message.get("Content", ""), openid)
        if kind == "event":
            return self.event(message.get("Event", ""), message.get("EventKey", ""), openid)
        return TYPE_PLEASE if kind in MESSAGES_NOT_TEXT else None

    # Text -------------------------------------------------------------------------------------

    def text(self, content: str, openid: str) -> str:
        key = self.user_key(openid)
        turn = self.turns.get(key)
        word = compact(content)
        if word in MORE_WORDS:
            if turn is None or not turn.pages:
                return NOTHING_MORE
            page = turn.pages.pop(0)
            self.turns.set(key, turn)
            return page
        if turn is not None and turn.options:
            choice = resolve(content, len(turn.options), turn.confirm)
            if choice == DECLINE:
                self.turns.pop(key)
                return self.knowledge.texts.fallback.strip() if turn.exchange else DECLINED
            if choice == OUT_OF_RANGE:
                return replies.pick_hint(len(turn.options))
            if choice is not None:
                return self.pick(key, openid, turn, turn.options[choice])
        elif PICK.fullmatch(word):
            return EXPIRED
        if word in TOPIC_WORDS:
            return self.send(key, replies.topics_reply(self.knowledge))
        answer, exchange = self.service.ask(content, CHANNEL, CHAT_TYPE, openid)
        return self.send(key, replies.answer_reply(answer, self.knowledge, exchange))

    def pick(self, key: str, openid: str, turn: Turn, option: Option) -> str:
        knowledge = self.knowledge
        if option.kind != ENTRY:
            if option.id not in knowledge.categories:
                return STALE
            return self.send(key, replies.category_reply(knowledge, option.id))
        entry = knowledge.by_id.get(option.id)
        if entry is None:
            return STALE
        if turn.exchange and self.service.log is not None:
            self.service.log.feedback(turn.exchange, PICKED, entry.id, CHANNEL, openid)
        answer = self.service.engine.entry_answer(entry)
        return self.send(key, replies.answer_reply(answer, knowledge))

    def send(self, key: str, reply: Reply) -> str:
        """The reply's first page; what it offers is remembered for the user's next message."""
        first, *rest = reply.pages
        if reply.options or rest:
            self.turns.set(key, Turn(reply.options, reply.exchange, reply.confirm, rest))
        else:
            self.turns.pop(key)
        return first

    # Events -----------------------------------------------------------------------------------

    def event(self, event: str, event_key: str, openid: str) -> str | None:
        key = self.user_key(openid)
        event = event.lower()
        knowledge = self.knowledge
        if event == "subscribe":
            self.turns.pop(key)
            return f"{knowledge.texts.welcome.strip()}\n\n{BROWSE}"
        if event == "unsubscribe":
            self.turns.pop(key)
            return None
        if event != "click":
            return None
        if event_key == HELP_KEY:
            return f"{knowledge.texts.help.strip()}\n\n{BROWSE}"
        category = None
        if event_key.startswith(TOPIC_KEY):
            category = find_category(knowledge, event_key.removeprefix(TOPIC_KEY))
        if category is None:  # "all topics", or a menu key from an older knowledge version
            return self.send(key, replies.topics_reply(knowledge))
        return self.send(key, replies.category_reply(knowledge, category))

    @property
    def knowledge(self):
        return self.service.engine.knowledge


def menu_key(category: str) -> str:
    """The menu's CLICK key for a category: survives reloads that reorder categories."""
    return TOPIC_KEY + category_key(category)
