"""A stand-in for the Telegram Bot API, for tests: the real python-telegram-bot stack talks to it.

`FakeBotApi` holds the logic (Telegram's JSON shapes, queued updates, a record of every call,
injectable faults). Two transports expose it:

- `OfflineRequest`, a python-telegram-bot `BaseRequest` for in-process unit tests;
- `StandIn`, an HTTP server on 127.0.0.1 that the real httpx transport reaches through
  `TELEGRAM_API_BASE_URL`, for end-to-end tests and for a `policybot run` subprocess.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from telegram.request import BaseRequest, RequestData

from tests.support.servers import POLL_SECONDS

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
WEBHOOK_SECRET = "0123456789abcdef0123"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
BOT_USER = {
    "id": 999000,
    "is_bot": True,
    "first_name": "抚远政策问答",
    "username": "fuyuan_policy_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
# Methods whose whole answer is `true`.
ACKNOWLEDGED = {
    "answerCallbackQuery",
    "answerInlineQuery",
    "setMyCommands",
    "deleteWebhook",
    "setWebhook",
    "close",
}
LONG_POLL_CAP = 1.0  # seconds a getUpdates waits at most, so tests stop quickly


@dataclass(frozen=True)
class Call:
    method: str
    params: dict
    at: float = 0.0  # time.perf_counter() when it arrived, for latency figures


def decode(form: dict[str, str]) -> dict:
    """python-telegram-bot sends JSON-encoded values for everything that is not a string."""
    params = {}
    for key, value in form.items():
        if value[:1] in "{[" or value in ("true", "false", "null"):
            try:
                params[key] = json.loads(value)
                continue
            except ValueError:
                pass
        params[key] = value
    return params


class FakeBotApi:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.pending: list[dict] = []
        self.faults: dict[str, list[tuple[int, dict]]] = {}
        self.delay: dict[str, float] = {}
        self.changed = threading.Condition()
        self.update_ids = itertools.count(1)
        self.message_ids = itertools.count(5000)
        self.delivered: dict[int, float] = {}  # update_id: when getUpdates first returned it

    # Driving it from tests ------------------------------------------------------------------

    def push(self, *updates: dict) -> None:
        with self.changed:
            for update in updates:
                self.pending.append({**update, "update_id": next(self.update_ids)})
            self.changed.notify_all()

    def fail_next(self, method: str, status: int, **parameters) -> None:
        """Make the next call of `method` fail with this HTTP status (Telegram's error shape)."""
        body = {"ok": False, "error_code": status, "description": f"injected {status}"}
        if parameters:
            body["parameters"] = parameters
        self.faults.setdefault(method, []).append((status, body))

    def sent(self, method: str = "sendMessage") -> list[dict]:
        with self.changed:
            return [c.params for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[dict]:
        """Block until `method` was called `count` times; fail the test if it never is."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while len([c for c in self.calls if c.method == method]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(f"{method} x{count} not seen in {timeout}s; calls: {seen}")
                self.changed.wait(left)
            return [c.params for c in self.calls if c.method == method]

    # Answering calls -------------------------------------------------------------------------

    def handle(self, token: str, method: str, params: dict) -> tuple[int, dict]:
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        time.sleep(self.delay.get(method, 0.0))
        with self.changed:
            self.calls.append(Call(method, params, time.perf_counter()))
            self.changed.notify_all()
            faults = self.faults.get(method)
            if faults:
                return faults.pop(0)
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._updates(params)}
        if method in ACKNOWLEDGED:
            return 200, {"ok": True, "result": True}
        answer = getattr(self, f"_{method}", None)
        if answer is None:
            return 404, {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        return 200, {"ok": True, "result": answer(params)}

    def _updates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), LONG_POLL_CAP)
        limit = min(int(params.get("limit") or 100), 100)  # Telegram's own cap
        deadline = time.monotonic() + wait
        with self.changed:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
            while not self.pending and time.monotonic() < deadline:
                self.changed.wait(deadline - time.monotonic())
            batch = self.pending[:limit]
            now = time.perf_counter()
            for update in batch:
                self.delivered.setdefault(update["update_id"], now)
            return batch

    def _message(self, params: dict) -> dict:
        chat_id = int(params["chat_id"])
        message = {
            "message_id": int(params.get("message_id") or next(self.message_ids)),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": BOT_USER,
            "text": params.get("text", ""),
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _getMe(self, params: dict) -> dict:
        return BOT_USER

    _sendMessage = _message
    _editMessageText = _message

    _editMessageReplyMarkup = _message

    def _getWebhookInfo(self, params: dict) -> dict:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}


class OfflineRequest(BaseRequest):
    """python-telegram-bot's transport, answered in process by a `FakeBotApi`."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float:
        return 5.0

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None, **_):
        token, api_method = url.rsplit("/", 2)[-2:]
        params = decode(request_data.json_parameters) if request_data else {}
        status, body = self.api.handle(token.removeprefix("bot"), api_method, params)
        return status, json.dumps(body).encode()


class StandIn:
    """The fake Bot API served over HTTP on 127.0.0.1, on a free port, in a thread."""

    def __init__(self, api: FakeBotApi | None = None) -> None:
        self.api = api or FakeBotApi()
        api = self.api

        class Handler(BaseHTTPRequestHandler):
            # Keep connections open between requests, as Telegram's servers do; without Nagle's
            # algorithm, or the headers and body written apart wait for a delayed ACK (~40 ms).
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params = json.loads(body or "{}")
                else:
                    params = decode(dict(parse_qsl(body, keep_blank_values=True)))
                self._reply(params)

            def do_GET(self) -> None:
                self._reply({})

            def _reply(self, params: dict) -> None:
                _, token, method = self.path.split("?")[0].split("/", 2)
                status, answer = api.handle(token.removeprefix("bot"), method, params)
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot stopped while a long poll was still open

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_port}/bot"
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(POLL_SECONDS,), daemon=True
        )

    def __enter__(self) -> StandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def webhook_env(standin: StandIn, knowledge: object, db: object) -> dict[str, str]:
    """The environment of a `policybot serve` subprocess taking Telegram's webhook from the
    stand-in, with its own knowledge folder and log."""
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": standin.base_url,
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "POLICYBOT_KNOWLEDGE": str(knowledge),
        "POLICYBOT_DB": str(db),
    }
