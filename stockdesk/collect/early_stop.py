"""Stopping a job whose first stocks all fail the same way.

A cause that is the same for every stock (a server without the data for the range,
every request refused, a login the server no longer honours) would otherwise cost
every stock of the job its three attempts with back-off: about two hours for the whole
market, ending ``completed`` with thousands of identical failures. When the job's first
:data:`IDENTICAL_FAILURES` finished stocks all failed with the same error code, and none
succeeded, the job stops as ``failed`` with one message that names the cause. What was
committed stays; the failed stocks are not done, so resuming the job once the cause is
gone fetches them again.
"""

from __future__ import annotations

from stockdesk.domain.errors import StockDeskError
from stockdesk.domain.values import ItemResult, ItemStatus

IDENTICAL_FAILURES = 5
"""Failed stocks in a row, with one error code and no success before them, that stop a
job: few enough to stop within seconds, enough that a few odd stocks at the start of a
universe do not."""


class SameFailureError(StockDeskError):
    """The job's first stocks all failed the same way; the job stops as ``failed``."""


class FirstFailures:
    """Watches a job's finished stocks until one succeeds or the rule fires."""

    def __init__(self, *, limit: int = IDENTICAL_FAILURES) -> None:
        self._limit = limit
        self._code: str | None = None
        self._count = 0
        self._watching = True

    def observe(self, item: ItemResult, *, remaining: int) -> None:
        """Count a finished stock; ``remaining`` is how many the job has not done yet.

        Raises:
            SameFailureError: this is the last of :data:`IDENTICAL_FAILURES` identical
                failures at the start of the job and stocks remain to be tried.
        """
        if not self._watching or item.status is ItemStatus.SKIPPED:
            return
        if item.status is ItemStatus.SUCCESS:
            self._watching = False
            return
        code = item.error_code or ""
        if code != self._code:
            self._code, self._count = code, 0
        self._count += 1
        if self._count >= self._limit and remaining > 0:
            self._watching = False
            raise SameFailureError(
                f"前 {self._count} 只股票都以同样的原因失败（{code}：{item.error_message}），"
                f"任务已停止，以免其余 {remaining} 只股票重复同样的失败。"
                "请先排除原因（检查服务器地址、网络和日期范围），再在采集历史中继续该任务；"
                "已保存的数据都会保留。"
            )
