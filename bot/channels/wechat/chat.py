"""WeChat conversations: one incoming message (its fields) in, the text to reply with out.

Questions go to the application seam (`bot.app`) through `bot.conversation`, which answers and
logs them and resolves replies to a "您是想问" list the same way for every chat channel. What only
WeChat needs, having no buttons, is kept here: the numbered related questions and topic lists a
reply offered, and the pages of a long answer that "更多" brings.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from bot.app import PRIVATE, Request, Service
from bot.channels.limits import NOTIFY, OK, SLOW_DOWN, UserLimiter
from bot.channels.render import category_key, find_category
from bot.channels.wechat import replies
from bot.channels.wechat.replies import ENTRY, MORE_WORDS, TOPIC_WORDS, Option, Reply
from bot.channels.wechat.state import DECLINE, OUT_OF_RANGE, PICK, Expiring, Offered, resolve
from bot.conversation import LIST_SECONDS, Conversations, reply_word

CHANNEL = "wechat"
TYPE_PLEASE = "我只能读懂文字消息，请直接输入您的问题，例如“复工复产去哪个窗口办理”。"
EXPIRED = "这个序号已过期，请重新输入您的问题，或回复“主题”按主题浏览。"
STALE = "这个选项已过期（知识库已更新），请重新输入您的问题。"
NOTHING_MORE = "没有更多内容了，请直接输入您的问题。"
DECLINED = "好的。请直接输入您的问题，或回复“主题”按主题浏览。"
BROWSE = "回复“主题”可按主题浏览问题。"
# Menu keys (bot.channels.wechat.menu): one topic's questions, all topics, how to ask.
TOPIC_KEY, TOPICS_KEY, HELP_KEY = "TOPIC_", "TOPICS", "HELP"
MESSAGES_NOT_TEXT = frozenset({"image", "voice", "video", "shortvideo", "location", "link", "file"})
# How long a numbered list or the rest of a long answer can be asked for: as a 您是想问 list.
OFFER_SECONDS = LIST_SECONDS
USERS_REMEMBERED = 100_000  # users with something offered, at most (~1 KB each)


class Chat:
    """The WeChat channel's conversations, over the application seam."""

    def __init__(self, service: Service, limiter: UserLimiter | None = None) -> None:
        self.service = service
        # POLICYBOT_USER_LIMIT, as Telegram's: WeChat had none, so one account (a script on
        # it) could send as fast as it liked, each message answered and logged (probe22).
        self.limiter = limiter
        self.conversations = Conversations(service, USERS_REMEMBERED, ttl=OFFER_SECONDS)
        self.offered: Expiring[str, Offered] = Expiring(OFFER_SECONDS, USERS_REMEMBERED)
        # What we remember of a user is kept under a keyed hash of the OpenID (the log keeps
        # its own, salted per database, through the seam).
        self.salt = secrets.token_bytes(16)

    def user_key(self, openid: str) -> str:
        """A pseudonymous key for a user, stable while the process runs; safe to log."""
        return hmac.new(self.salt, openid.encode(), hashlib.sha256).hexdigest()[:16]

    def reply(self, message: dict[str, str]) -> str | None:
        """The text to answer a message with, or None for no reply at all."""
        kind = message.get("MsgType", "")
        openid = message.get("FromUserName", "")
        following = kind == "event" and message.get("Event", "").lower() != "click"
        if self.limiter is not None and not following:  # (a (un)subscribe is never held back)
            verdict = self.limiter.check(self.user_key(openid))
            if verdict != OK:
                return SLOW_DOWN if verdict == NOTIFY else None  # then silence: no reply
        if kind == "text":
            return self.text(message.get("Content", ""), openid)
        # With 语音识别 turned on in the account's console, WeChat sends a voice message's words in
        # <Recognition> (empty when it heard none): they are the user's question as typed.
        if kind == "voice" and message.get("Recognition"):
            return self.text(message["Recognition"], openid)
        if kind == "event":
            return self.event(message.get("Event", ""), message.get("EventKey", ""), openid)
        return TYPE_PLEASE if kind in MESSAGES_NOT_TEXT else None

    # Text -------------------------------------------------------------------------------------

    def text(self, content: str, openid: str) -> str:
        key = self.user_key(openid)
        offered = self.offered.get(key)
        word = reply_word(content)
        request = Request(content, CHANNEL, PRIVATE, openid)
        if word in MORE_WORDS:
            if offered is None or not offered.pages:
                return NOTHING_MORE
            page = offered.pages.pop(0)
            self.offered.set(key, offered)
            return page
        if offered is not None and offered.options:
            choice = resolve(content, len(offered.options))
            if choice == DECLINE:
                self.offered.pop(key)
                return DECLINED
            if choice == OUT_OF_RANGE:
                return replies.pick_hint(len(offered.options))
            if choice is not None:
                return self.pick(key, offered.options[choice], request)
        if PICK.fullmatch(word) and not self.conversations.offered(request):
            return EXPIRED  # a number for a list that is gone: not a question to log
        if word in TOPIC_WORDS:
            return self.send(key, replies.topics_reply(self.service.knowledge))
        turn = self.conversations.reply(request)
        return self.send(key, replies.answer_reply(turn.answer, turn.knowledge))

    def pick(self, key: str, option: Option, where: Request) -> str:
        """A related question or a topic picked by number (in `where`'s conversation)."""
        if option.kind == ENTRY:
            turn = self.service.entry(option.id, where)
            if turn is None:
                return STALE
            return self.send(key, replies.answer_reply(turn.answer, turn.knowledge))
        if option.id not in self.service.topics():
            return STALE
        return self.send(key, replies.category_reply(self.service.knowledge, option.id))

    def send(self, key: str, reply: Reply) -> str:
        """The reply's first page; what it offers is remembered for the user's next message."""
        first, *rest = reply.pages
        if reply.options or rest:
            self.offered.set(key, Offered(reply.options, rest))
        else:
            self.offered.pop(key)
        return first

    # Events -----------------------------------------------------------------------------------

    def event(self, event: str, event_key: str, openid: str) -> str | None:
        key = self.user_key(openid)
        event = event.lower()
        knowledge = self.service.knowledge
        if event == "subscribe":
            self.offered.pop(key)
            return f"{knowledge.texts.welcome.strip()}\n\n{BROWSE}"
        if event == "unsubscribe":
            self.offered.pop(key)
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


def menu_key(category: str) -> str:
    """The menu's CLICK key for a category: survives reloads that reorder categories."""
    return TOPIC_KEY + category_key(category)
