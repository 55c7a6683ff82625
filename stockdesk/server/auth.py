"""Who may talk to the API: the bind address, the bearer token and the Host header.

Starting, cancelling and listing jobs is all the API does, but on a shared network anyone
who reaches it could start a whole-market job against the user's baostock account, so it
is secure by default: it listens on the loopback address alone unless given a token, and
with a token every request must carry it. Two holes that loopback alone leaves are closed
too: a web page in the user's browser cannot post a job (a JSON body needs a CORS
preflight, which the API never grants), nor reach the API by DNS rebinding (its own name
resolved to 127.0.0.1): on a loopback bind, a request must name a loopback host.

The token is read from a file, never from the command line (where ``ps`` shows it), is
compared in constant time and is never logged or printed.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from stockdesk.domain.errors import InputError

TOKEN_BYTES = 32
"""Random bytes in a token that ``--new-token`` writes (URL-safe base64: 43 characters)."""
MIN_TOKEN_CHARS = 43
"""Shortest token accepted from a file: 32 random bytes in base64 (``openssl rand -hex 32``
gives 64 characters, ``--new-token`` 43)."""
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
"""Host names a request to a loopback bind may use, besides the bound address itself."""
UNAUTHORIZED_MESSAGE = "未授权：请求须带有 Authorization: Bearer <令牌>"
BAD_HOST_MESSAGE = "请求的主机名不是本机地址，已拒绝"


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) reaches this computer only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface


def check_bind(host: str, token: str | None) -> None:
    """Refuse to listen on an address other computers reach without a token.

    Raises:
        InputError: ``host`` is not loopback and there is no token.
    """
    if token is None and not is_loopback(host):
        raise InputError(
            f"拒绝在 {host} 上监听：其他计算机能访问这个地址，必须用 --token-file 指定访问令牌"
            "（用 stockdesk serve --new-token 文件 生成），否则网络上任何人都能启动和取消"
            "采集任务。只在本机使用时请去掉 --host（默认 127.0.0.1）。"
        )


def new_token_file(path: Path) -> None:
    """Write a new random token to ``path``, readable by its owner only (mode 0600).

    Raises:
        InputError: the file exists (a token in use is not overwritten) or cannot be written.
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InputError(f"令牌文件已存在，未覆盖：{path}（要换新令牌，请先删除它）") from None
    except OSError as error:
        raise InputError(f"无法写入令牌文件 {path}：{error.strerror}") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(token + "\n")


def read_token_file(path: Path) -> str:
    """The token in ``path`` (surrounding blanks ignored).

    Raises:
        InputError: the file cannot be read, holds too short a token, or (POSIX) other
            users may read it.
    """
    try:
        mode = path.stat().st_mode
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise InputError(f"无法读取令牌文件 {path}：{reason}") from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InputError(f"令牌文件 {path} 其他用户也能读取，请先执行 chmod 600 {path}")
    if len(token) < MIN_TOKEN_CHARS or any(c.isspace() for c in token):
        raise InputError(
            f"令牌文件 {path} 中的令牌太短或含空白：至少需要 {MIN_TOKEN_CHARS} 个字符"
            "（32 个随机字节），可用 stockdesk serve --new-token 文件 生成"
        )
    return token


def host_name(header: str) -> str:
    """The host of a ``Host`` header, without its port: ``[::1]:8765`` → ``::1``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].partition("]")[0]
    return header.rpartition(":")[0] if header.count(":") == 1 else header


class Guard:
    """ASGI middleware that refuses a request before any route sees it: 401 without the
    bearer token (when there is one), 400 for a host name that is not loopback (when the
    bind is loopback). A refused request changes nothing."""

    def __init__(self, app: ASGIApp, *, token: str | None, hosts: Iterable[str] | None) -> None:
        self._app = app
        self._token = None if token is None else token.encode()
        self._hosts = None if hosts is None else frozenset(h.lower() for h in hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan; the server speaks no websockets
            await self._app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self._hosts is not None and host_name(headers.get("host", "")) not in self._hosts:
            await JSONResponse({"detail": BAD_HOST_MESSAGE}, 400)(scope, receive, send)
            return
        if self._token is not None and not self._authorized(headers.get("authorization", "")):
            await JSONResponse(
                {"detail": UNAUTHORIZED_MESSAGE}, 401, headers={"WWW-Authenticate": "Bearer"}
            )(scope, receive, send)
            return
        await self._app(scope, receive, send)

    def _authorized(self, header: str) -> bool:
        scheme, _, credentials = header.partition(" ")
        given = credentials.strip().encode("utf-8", "replace")
        # compare_digest takes as long whatever the contents, so timing tells nothing.
        matches = hmac.compare_digest(given, self._token or b"")
        return scheme.lower() == "bearer" and matches
