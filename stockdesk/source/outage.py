"""Waiting out a server that went away mid-job, instead of failing stock after stock.

Without this, a server that is restarted or a network that drops for a few minutes makes
every stock of the job burn its retries against a login that cannot succeed, and a short
outage turns thousands of stocks into failures. The source adapter calls
:func:`wait_for_server` when it must log in again mid-job and cannot: it tries again after
1, 2, 4 ... seconds (at most :attr:`OutagePolicy.max_wait`), says on every wait what it
waits for and how long it has waited, and gives up only after
:attr:`OutagePolicy.timeout` with :class:`ServerGoneError`, which ends the job.

Only the job's first login fails at once: a server that never answered is a wrong address
or no network, which waiting does not fix. Once it has answered, any failure to log in
(refused connection, a silent network, a refused login) is taken as the server being away
for a while.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from stockdesk.domain.cancel import CancelFlag
from stockdesk.domain.errors import LoginError, ServerGoneError


@dataclass(frozen=True, slots=True)
class OutagePolicy:
    """How long and how often to try a server that went away mid-job."""

    timeout: float = 600.0
    """Seconds of outage after which the job fails."""
    first_wait: float = 1.0
    """Seconds before the first new attempt; doubled after each failed one."""
    max_wait: float = 30.0
    """Longest wait between attempts: how late, at worst, a returned server is noticed."""


def wait_for_server(
    login: Callable[[], None],
    failure: LoginError,
    *,
    server: str,
    policy: OutagePolicy,
    cancel: CancelFlag | None,
    say: Callable[[str], None],
) -> None:
    """Call ``login`` with growing pauses until it succeeds; ``failure`` was its first try.

    Raises:
        ServerGoneError: ``policy.timeout`` seconds passed and the last try failed too.
        LoginError: with code ``cancelled``, within a poll of ``cancel`` being set.
    """
    began = time.monotonic()
    wait = policy.first_wait
    idle = cancel if cancel is not None else threading.Event()
    while True:
        waited = time.monotonic() - began
        left = policy.timeout - waited
        if left <= 0:
            raise ServerGoneError(
                f"服务器 {server} 中断超过 {duration(policy.timeout)} 仍未恢复"
                f"（{failure.reason}），任务已停止；已保存的数据不受影响"
            )
        wait = min(wait, left)
        so_far = f"已等待 {duration(waited)}，" if waited >= 0.1 else ""
        say(
            f"服务器 {server} 暂时无法连接（{failure.reason}），等待其恢复：{so_far}"
            f"{duration(wait)}后重试（最多等待 {duration(policy.timeout)}）"
        )
        if idle.wait(wait):
            raise LoginError("已取消", code="cancelled", retryable=False)
        try:
            login()
        except LoginError as again:
            if again.code == "cancelled":
                raise
            failure = again
            wait = min(wait * 2, policy.max_wait)
            continue
        say(f"服务器 {server} 已恢复（中断约 {duration(time.monotonic() - began)}），继续采集")
        return


def duration(seconds: float) -> str:
    """Seconds as a person reads them: ``0.4 秒``, ``12 秒``, ``1 分 30 秒``, ``10 分钟``."""
    if seconds < 10:
        return f"{seconds:.1f}".removesuffix(".0") + " 秒"
    if seconds < 60:
        return f"{round(seconds)} 秒"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} 分钟" if rest == 0 else f"{minutes} 分 {rest} 秒"
