"""Logging set-up for the long-running commands: text or JSON lines, never a secret.

httpx logs every request URL at INFO, and Bot API URLs contain the token; that logger is turned
down, and a filter masks the token in anything else that would print it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable


class TokenFilter(logging.Filter):
    """Masks a secret wherever a log record would contain it (URLs, error messages)."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secret:
            return True
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "<token>"), None
        if (
            record.exc_info
            and record.exc_info[1] is not None
            and self.secret in str(record.exc_info[1])
        ):
            record.exc_text = (
                logging.Formatter().formatException(record.exc_info).replace(self.secret, "<token>")
            )
            record.exc_info = None
        return True


class Sparing:
    """A warning anyone may cause (a request signed wrong), said at most once every `every`
    seconds, the next line saying how many went unsaid: one line each let a single client write
    gigabytes a day of the server's log, which Docker keeps whole unless told otherwise
    (probe20). One per place that warns: they would count each other's."""

    def __init__(
        self,
        logger: logging.Logger,
        every: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger, self.every, self.clock = logger, every, clock
        self.last: float | None = None
        self.unsaid = 0

    def admit(self) -> str | None:
        """None: hold this one back; else say it, followed by the returned words on how many
        were held since the last one said ("" when none)."""
        now = self.clock()
        if self.last is not None and now - self.last < self.every:
            self.unsaid += 1
            return None
        held = ""
        if self.unsaid and self.last is not None:
            held = (
                f" (and {self.unsaid} more like it in the {now - self.last:.0f} s before, unsaid)"
            )
        self.last, self.unsaid = now, 0
        return held

    def warning(self, message: str, *args: object) -> None:
        held = self.admit()
        if held is not None:
            self.logger.warning(message + held, *args)


class SparedRequests(logging.Filter):
    """uvicorn's warnings about a request any client may send, each said once a period
    (`Sparing`): a malformed request was a line each, and a WebSocket upgrade (which a proxy
    passes on) two, one of them advising to install a WebSocket library, which the bot has no
    use for: never said (probe21)."""

    SPARED = ("Invalid HTTP request received.", "Unsupported upgrade request.")
    NEVER = "No supported WebSocket library detected"

    def __init__(self, every: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        uvicorn = logging.getLogger("uvicorn.error")
        self.sparing = {message: Sparing(uvicorn, every, clock) for message in self.SPARED}

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.startswith(self.NEVER):
            return False
        sparing = self.sparing.get(message)
        if sparing is None:
            return True
        held = sparing.admit()
        if held:
            record.msg = message + held
        return held is not None


class JSONFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def fatal_line(message: str, error: BaseException | None = None, secret: str = "") -> str:
    """A fatal error as one JSON log line (for `--log-format json`): a log collector reads
    it like any other record, traceback included as a field, the token masked."""
    exc_info = (type(error), error, error.__traceback__) if error is not None else None
    record = logging.LogRecord("policybot", logging.CRITICAL, "", 0, message, None, exc_info)
    TokenFilter(secret).filter(record)
    return JSONFormatter().format(record)


def configure(log_format: str = "text", secret: str = "", level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JSONFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(TokenFilter(secret))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    uvicorn = logging.getLogger("uvicorn.error")
    uvicorn.filters[:] = [f for f in uvicorn.filters if not isinstance(f, SparedRequests)]
    uvicorn.addFilter(SparedRequests())
