"""One server, one port, for every channel: the API, the widget, and whatever other channels
mount here (the Telegram webhook today; WeChat and the admin console add their routes below).

Starlette on uvicorn: see docs/web.md for why, and for the throughput measured against a
fixed-JSON endpoint of the same stack.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.app import Service, settle_heap
from bot.channels.web import api, widget
from bot.channels.web.balance import Acceptor, Connections
from bot.channels.web.connection import HttpProtocol, behind_proxies
from bot.channels.web.guard import ApiError, SecurityHeaders, server_error
from bot.ops.health import heartbeat
from bot.ops.watch import Watcher
from bot.settings import WebConfig

log = logging.getLogger(__name__)

# Something that runs while the server runs (a channel's client, a background task).
Hook = Callable[[], AbstractAsyncContextManager[None]]
# A worker's share of a socket the workers of `serve --workers` accept on: the shared counts
# of open connections, and which worker this is.
Share = tuple[Connections, int]
# A route's handler: what Starlette's `Route` calls.
Handler = Callable[[Request], Awaitable[Response]]


def channel_routes(questions: api.Api) -> list[BaseRoute]:
    """Every channel's routes. A channel joins the server with one line here, e.g.
    `Mount("/wechat", routes=wechat.routes(service))`."""
    return [
        *api.routes(questions),
        *widget.routes(),
    ]


def build_server(
    service: Service,
    config: WebConfig,
    routes: Sequence[BaseRoute] = (),
    hooks: Sequence[Hook] = (),
    direct: Mapping[str, Handler] | None = None,
) -> ASGIApp:
    """The ASGI application: every channel's routes plus `routes` (the Telegram webhook, when
    configured), with security headers on every response and CORS for the listed origins,
    and questions without an Origin taken straight to the API (`Direct`); `direct` adds other
    POST paths taken the same way (a benchmark's ceiling on the same path as the answers).
    `hooks` run for the server's lifetime (knowledge watcher, heartbeat, Telegram client)."""

    refused: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            for hook in hooks:
                try:
                    await stack.enter_async_context(hook())
                except Refused as exc:
                    refused.append(str(exc))
                    raise
            yield

    middleware = [Middleware(SecurityHeaders)]
    if config.origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(config.origins),
                allow_methods=["GET", "POST"],
                allow_headers=["content-type"],
                max_age=600,
            )
        )
    questions = api.Api(service, config)
    app = Starlette(
        routes=[*channel_routes(questions), *routes],
        middleware=middleware,
        exception_handlers={
            ApiError: api_error,
            HTTPException: http_error,
            ClientDisconnect: gone,
            Exception: unexpected,
        },
        lifespan=lifespan,
    )
    return Direct(app, {api.ASK: questions.ask, **(direct or {})}, refused)


class Refused(Exception):
    """A hook refusing the server's start for a reason its operator must fix (Telegram refusing
    the token or unreachable), in one line: uvicorn says it as the start's failure instead of
    the traceback Starlette gives it, 80 lines ending in the error (left by probe21)."""


class Direct:
    """`POST /api/v1/ask` (and any other POST path in `handlers`) from a client that sends no
    Origin (a program, a proxy: not a browser's cross-site request, which CORS must see) goes
    to its handler with the security headers, without Starlette's error, exception and routing
    middleware on the way; everything else goes through Starlette. Those layers were ~0.1 ms of the ~0.2 ms a
    fixed-JSON request cost the server (docs/benchmarks.md, Web), for every answer. The
    handler's refusals (`ApiError`, Starlette's `HTTPException`) answer as the exception
    handlers do; anything else is logged and answered with the API's 500, as Starlette's
    error middleware does (`unexpected`)."""

    def __init__(
        self, app: Starlette, handlers: Mapping[str, Handler], refused: Sequence[str] = ()
    ) -> None:
        self.app = app
        self.handlers = dict(handlers)
        self.direct = SecurityHeaders(self.answer)
        self.refused = refused  # what `Refused` said, when a hook refused the start

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] in self.handlers
            and not any(name == b"origin" for name, _ in scope["headers"])
        ):
            await self.direct(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self.app(scope, receive, self.starting(send))
        else:
            await self.app(scope, receive, send)

    def starting(self, send: Send) -> Send:
        """The lifespan's `send`, with a start a hook refused said in the refusal's line."""

        async def said(message: Message) -> None:
            if message["type"] == "lifespan.startup.failed" and self.refused:
                message = {**message, "message": self.refused[-1]}
            await send(message)

        return said

    async def answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self.handlers[scope["path"]](request)
        except ApiError as exc:
            response = exc.response()
        except HTTPException as exc:
            response = await http_error(request, exc)
        except ClientDisconnect as exc:
            response = await gone(request, exc)
        except Exception:
            log.exception("answering %s", scope["path"])
            response = server_error().response()
        await response(scope, receive, send)


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def http_error(request: Request, exc: Exception) -> Response:
    """404 and 405 in the API's shape (and both languages) instead of Starlette's plain text."""
    assert isinstance(exc, HTTPException)
    messages = {
        404: ("没有这个地址。", "Not found."),
        405: ("不支持这个请求方法。", "Method not allowed."),
    }
    zh, en = messages.get(exc.status_code, ("请求无法处理。", str(exc.detail)))
    code = "not_found" if exc.status_code == 404 else "http_error"
    return ApiError(exc.status_code, code, zh, en, dict(exc.headers or {})).response()


async def gone(request: Request, exc: Exception) -> Response:
    """The client went away before its body was read whole (a phone that lost its signal, a
    closed tab): nobody will read the answer, and it is no error of ours. Left to the error
    middleware, each was an ERROR with a fifty-line traceback in the log."""
    return Response(status_code=400)


async def unexpected(request: Request, exc: Exception) -> Response:
    """A bug's 500 in the API's shape, with the security headers: Starlette's error middleware
    (which logs the exception) sends it outside every other middleware, `SecurityHeaders`
    included, and its own is plain text without them."""
    return server_error().response()


def background(*tasks: Callable[[], Coroutine[object, object, object]]) -> Hook:
    """A hook that runs coroutines for the server's lifetime and cancels them at shutdown."""

    @contextlib.asynccontextmanager
    async def running() -> AsyncIterator[None]:
        started = [asyncio.create_task(task()) for task in tasks]
        try:
            yield
        finally:
            for task in started:
                task.cancel()
            await asyncio.gather(*started, return_exceptions=True)

    return running


def upkeep(service: Service, beat: Path, watch_interval: float) -> Hook:
    """The heartbeat file `beat` (`policybot health`) and, unless turned off, hot reload."""
    tasks = [lambda: heartbeat(beat, service)]
    if watch_interval > 0:
        tasks.append(lambda: Watcher(service, watch_interval).run())
    return background(*tasks)


class Server(uvicorn.Server):
    """uvicorn's server, except that a SIGTERM or Ctrl-C ends it with exit code 0 after the
    graceful shutdown, as `policybot run` does (uvicorn re-raises the signal, which makes
    systemd and Docker report a failure for a normal stop); and that a worker of
    `serve --workers` takes only its share of the connections (`bot.channels.web.balance`)."""

    def __init__(self, config: uvicorn.Config, share: Share | None = None) -> None:
        super().__init__(config)
        self.share = share
        self.acceptor: Acceptor | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        if self.share is None or not sockets:
            await super().startup(sockets)
            return
        await super().startup([])  # the app's start-up, without uvicorn's own accepting
        config, connections, me = self.config, *self.share

        def protocol() -> asyncio.Protocol:  # what uvicorn's startup makes per connection
            return config.http_protocol_class(  # type: ignore[call-arg]
                config=config, server_state=self.server_state, app_state=self.lifespan.state
            )

        self.acceptor = Acceptor(sockets[0], connections, me, protocol)
        self.acceptor.start()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.acceptor is not None:
            self.acceptor.close()
        await super().shutdown(sockets)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            try:
                yield
            finally:
                self._captured_signals.clear()


def listen(host: str, port: int) -> socket.socket:
    """A listening socket several worker processes can share (`serve --workers`)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind((host, port))
    listening.listen(2048)
    listening.set_inheritable(True)
    return listening


def serve(
    app: ASGIApp,
    config: WebConfig,
    host: str = "127.0.0.1",
    port: int = 8080,
    sock: socket.socket | None = None,
    share: Share | None = None,
) -> None:
    """Run until SIGINT or SIGTERM (uvicorn stops cleanly on both); on `sock` if given (a
    worker of `serve --workers`, taking its `share` of the connections if given), else on
    `host`:`port`."""
    server = Server(
        uvicorn.Config(
            behind_proxies(app, config.trusted_proxies),
            host=host,
            port=port,
            proxy_headers=False,  # `behind_proxies` reads them
            http=HttpProtocol,
            log_config=None,  # keep policybot's own logging (text or JSON lines)
            access_log=False,  # request lines would carry client addresses into the logs
            server_header=False,
        ),
        share,
    )
    if sock is not None:
        host, port = sock.getsockname()[:2]
    log.info("serving on http://%s:%d (process %d)", host, port, os.getpid())
    settle_heap()  # everything loaded so far stays out of the collector's full passes
    server.run(sockets=[sock] if sock is not None else None)
