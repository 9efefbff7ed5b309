"""The console's login and logout: a throttled password check, a login form with its own CSRF
token, and a session cookie (Secure, HttpOnly, SameSite=Strict) scoped to the console."""

from __future__ import annotations

import logging
import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.channels.console.auth import COOKIE, LOGIN_COOKIE, same_token
from bot.channels.console.frame import HEADERS, PREFIX, READING, Console, see_other
from bot.log.accounts import NAME_CHARS, folded

log = logging.getLogger(__name__)


def client(request: Request) -> str:
    return request.client.host if request.client else "?"


def is_secure(console: Console, request: Request) -> bool:
    return console.secure or request.url.scheme == "https"


def set_cookie(
    console: Console, request: Request, response: Response, name: str, token: str
) -> None:
    """A console cookie: never read by scripts, never sent from other sites, only to the console
    (and only over HTTPS where the console is served so)."""
    response.set_cookie(
        name,
        token,
        httponly=True,
        samesite="strict",
        secure=is_secure(console, request),
        path=PREFIX,
    )


def safe_next(target: str | None) -> str:
    """Only a path inside the console: a login link must not send anyone elsewhere."""
    if (
        target
        and target.startswith(PREFIX + "/")
        and not target.startswith("//")
        and "\\" not in target
    ):
        return target
    return PREFIX + "/"


async def login_form(
    console: Console, request: Request, error: str = "", status: int = 200, target: str = ""
) -> Response:
    """The login form, with a fresh token in a cookie and the form: a login CSRF defence."""
    token = secrets.token_urlsafe(32)
    target = safe_next(target or request.query_params.get("next"))
    response = console.render(request, "login.html", status, csrf=token, error=error, next=target)
    set_cookie(console, request, response, LOGIN_COOKIE, token)
    return response


async def login(console: Console, request: Request) -> Response:
    if request.method in READING:
        return await login_form(console, request)
    form = await request.form()
    target = str(form.get("next", ""))
    if not same_token(request.cookies.get(LOGIN_COOKIE, ""), form.get("csrf")):
        return await login_form(console, request, "登录表单已失效，请重新输入。", 403, target)
    # No account's name is longer than NAME_CHARS: one char more is as unknown, and the
    # throttle, which keeps a failed name for its window, keeps no megabyte-long one.
    name = str(form.get("name", "")).strip()[: NAME_CHARS + 1]
    password = str(form.get("password", ""))
    # Counted as the account it logs into: ｗａｎｇ, ｗang and Wang are wang (`folded`, and
    # letter case: `Accounts.known`), and each counted apart would give a guesser 16 tries of
    # wang's password for every 1 (2⁴ more again with the case of each letter).
    counted = folded(name).casefold()
    wait = console.throttle.attempt(client(request), counted)
    if wait > 0:
        minutes = int(wait // 60) + 1
        response = await login_form(
            console, request, f"失败次数太多，请 {minutes} 分钟后再试。", 429, target
        )
        response.headers["retry-after"] = str(int(wait) + 1)
        return response
    async with console.checking:
        account = await run_in_threadpool(console.admin.accounts.verify, name, password)
    # Read after `verify`, which may have rehashed the password.
    standing = None if account is None else console.admin.accounts.standing(account.name)
    if account is None or standing is None:
        # Whoever runs the bot sees someone guessing (the throttle bounds the lines). An
        # unknown name is not written: it may be a password typed in the wrong box.
        known = console.admin.accounts.get(name) is not None
        log.warning(
            "console: failed login for %s from %s",
            f"account {name!r}" if known else "an unknown name",
            client(request),
        )
        return await login_form(console, request, "用户名或密码不对。", 401, target)
    console.throttle.succeeded(client(request), counted)
    token, _ = console.sessions.start(account, standing)
    response = RedirectResponse(safe_next(target), 303, headers=HEADERS)
    set_cookie(console, request, response, COOKIE, token)
    response.delete_cookie(LOGIN_COOKIE, path=PREFIX)
    return response


async def logout(console: Console, request: Request) -> Response:
    console.sessions.end(request.cookies.get(COOKIE))
    response = see_other("/login")
    response.delete_cookie(COOKIE, path=PREFIX, httponly=True, samesite="strict")
    return response
