"""The collector: plan the universe, fetch each stock, check it, store it, log the job.

The same collector serves the window and the command line; it knows nothing about Qt.
It reports through a :class:`JobListener` and stops when its cancel event is set. It
plans the job and lets :mod:`~stockdesk.collect.strategy` choose how to fetch it: by
date (:mod:`~stockdesk.collect.per_date`) or stock by stock
(:mod:`~stockdesk.collect.per_stock`). Either way memory does not grow with the job.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from stockdesk.collect.cancelled import JobCancelled
from stockdesk.collect.checks import TradingCalendar
from stockdesk.collect.early_stop import FirstFailures, SameFailureError
from stockdesk.collect.listener import JobListener
from stockdesk.collect.options import CollectOptions
from stockdesk.collect.per_date import collect_per_date
from stockdesk.collect.per_stock import collect_per_stock
from stockdesk.collect.strategy import PER_DATE, choose_strategy, per_stock_strategy
from stockdesk.db.barstore import BarStore
from stockdesk.db.database import Database
from stockdesk.db.joblog import JobLog
from stockdesk.domain.errors import (
    DatabaseError,
    InputError,
    LoginError,
    ServerGoneError,
    SourceError,
)
from stockdesk.domain.values import (
    ItemResult,
    ItemStatus,
    JobRecord,
    JobRequest,
    JobStatus,
    Progress,
    Security,
)
from stockdesk.source.baostock_source import BaostockSource

log = logging.getLogger(__name__)

T = TypeVar("T")

PROGRESS_INTERVAL = 0.25
"""Seconds between progress reports: often enough for a smooth bar, rare enough to be cheap."""


class Collector:
    """Runs collection jobs against one database."""

    def __init__(self, database: Database, options: CollectOptions | None = None) -> None:
        self._database = database
        self._options = options or CollectOptions()

    def run(
        self,
        request: JobRequest,
        *,
        listener: JobListener | None = None,
        cancel: threading.Event | None = None,
        thread_id: int | None = None,
    ) -> JobRecord:
        """Run one job to its end and return its final record.

        Raises:
            JobRunningError: another job is running on the same database (nothing logged).
            DatabaseError: the database cannot even log the job.
            InputError: the request names codes the server does not know; the job is
                logged as ``failed`` with the same message and ``job_id`` on the error.
        Any other failure (login refused or server unreachable at the start, a server gone
        mid-job for longer than ``outage_timeout``, the first stocks all failing the same
        way (:mod:`~stockdesk.collect.early_stop`), database unusable midway) ends the job
        as ``failed`` with a user-facing ``error_message``; it is returned.
        """
        joblog = JobLog(self._database)
        job = joblog.start_job(request, thread_id=thread_id)
        listener = listener or JobListener()
        listener.job_started(job)
        run = _JobRun(
            job,
            request,
            self._options,
            joblog,
            BarStore(self._database),
            listener,
            cancel or threading.Event(),
        )
        status, error = JobStatus.COMPLETED, None
        try:
            run.execute()
        except JobCancelled:
            status = JobStatus.CANCELLED
        except InputError as bad_input:
            bad_input.job_id = job.id
            self._finish(joblog, job, JobStatus.FAILED, str(bad_input))
            raise
        except (
            LoginError,
            SourceError,
            ServerGoneError,
            DatabaseError,
            SameFailureError,
        ) as failure:
            status, error = JobStatus.FAILED, str(failure)
        except Exception as bug:
            # Log the truth before the crash handler shows it: the job did not finish.
            self._finish(joblog, job, JobStatus.FAILED, f"内部错误：{bug!r}")
            raise
        final = self._finish(joblog, job, status, error)
        run.report_progress(force=True)
        return final

    @staticmethod
    def _finish(joblog: JobLog, job: JobRecord, status: JobStatus, error: str | None) -> JobRecord:
        """Log the end; a database that fails even now gets the outcome returned anyway."""
        try:
            return joblog.finish_job(job.id, status, error_message=error)
        except DatabaseError as failure:
            log.error("could not log the end of %s: %s", job.id, failure)
            ended = job.copy()
            ended.status, ended.end_time = JobStatus.FAILED, dt.datetime.now()
            ended.error_message = "; ".join(filter(None, (error, str(failure))))
            return ended


class _JobRun:
    """The state of one running job: its plan, counters and the stocks left to do."""

    def __init__(
        self,
        job: JobRecord,
        request: JobRequest,
        options: CollectOptions,
        joblog: JobLog,
        store: BarStore,
        listener: JobListener,
        cancel: threading.Event,
    ) -> None:
        self.job = job
        self.request = request
        self.options = options
        self.joblog = joblog
        self.store = store
        self.listener = listener
        self.cancel = cancel
        self.started = time.monotonic()
        self.total = self.processed = self.success = self.failed = self.skipped = 0
        self.rows = 0
        self.work_done: float | None = None
        self._last_report = 0.0
        self._first_failures = FirstFailures()

    # -- the job ------------------------------------------------------------------------

    def execute(self) -> None:
        source = BaostockSource(
            self.options.server,
            timeout=self.options.timeout,
            cancel=self.cancel,
            outage=self.options.outage,
            say=self.listener.message,
        )
        try:
            self._login(source)
            stocks, calendar = self._plan(source)
            todo, stored = self._split_stored(stocks, calendar)
            strategy = choose_strategy(
                self.request, stocks=len(todo), days=len(calendar.days), options=self.options
            )
            self._announce(strategy.name, calendar)
            self._log_skipped(stored)
            if strategy.name == PER_DATE:
                todo = collect_per_date(self, source, todo, calendar, workers=strategy.workers)
                strategy = per_stock_strategy(stocks=len(todo), options=self.options)
            collect_per_stock(self, source, todo, calendar, workers=strategy.workers)
        finally:
            source.logout()

    def _login(self, source: BaostockSource) -> None:
        """The job's first login: a server that does not answer now is not waited for."""
        self.listener.message(f"正在登录 {source.server} ...")
        try:
            source.login()
        except LoginError as error:
            if error.code == "cancelled":
                raise JobCancelled from None
            raise

    def _plan(self, source: BaostockSource) -> tuple[list[Security], TradingCalendar]:
        """Find the stocks of the universe, their listing dates and the trading calendar."""
        request = self.request
        calendar = TradingCalendar(
            self._retrying(lambda: source.trade_days(request.start_date, request.end_date))
        )
        securities = {s.code: s for s in self._retrying(source.securities)}
        self.store.save_securities(securities.values())
        if request.universe == "codes":
            unknown = [code for code in request.codes if code not in securities]
            if unknown:
                raise InputError(f"服务器上没有这些股票代码：{'、'.join(unknown)}")
            stocks = [securities[code] for code in request.codes]
        else:
            day = calendar.last_day
            if day is None:
                stocks = []
            elif request.universe == "all":
                stocks = [s for s in securities.values() if s.type == "1" and _listed_on(s, day)]
            else:
                codes = self._retrying(lambda: source.index_members(request.universe, day))
                stocks = [securities[code] for code in codes if code in securities]
        if request.resumes:
            done = self.joblog.done_codes(request.resumes)
            stocks = [s for s in stocks if s.code not in done]
        self.total = len(stocks)
        return stocks, calendar

    def _announce(self, strategy: str, calendar: TradingCalendar) -> None:
        """Log the plan and how it will be fetched, and tell the listener."""
        self.joblog.set_plan(self.job.id, total=self.total, strategy=strategy)
        self.job.total_stocks, self.job.strategy = self.total, strategy
        self.listener.plan_ready(self.job.copy())
        self.listener.message(
            f"共 {self.total} 只股票，{len(calendar.days)} 个交易日（{strategy}）"
        )

    def _split_stored(
        self, stocks: list[Security], calendar: TradingCalendar
    ) -> tuple[list[Security], list[ItemResult]]:
        """The stocks left to fetch, and skipped items for those already stored in full."""
        request = self.request
        counts = self.store.row_counts(
            request.start_date,
            request.end_date,
            request.adjustflag,
            [s.code for s in stocks],
        )
        todo: list[Security] = []
        skipped: list[ItemResult] = []
        for security in stocks:
            expected = calendar.expected_days(security, request.start_date, request.end_date)
            if counts.get(security.code, 0) >= len(expected):
                skipped.append(
                    ItemResult(
                        security.code,
                        security.name,
                        ItemStatus.SKIPPED,
                        finished_at=dt.datetime.now(),
                    )
                )
            else:
                todo.append(security)
        return todo, skipped

    def _log_skipped(self, skipped: list[ItemResult]) -> None:
        if skipped:
            self.joblog.record_items(self.job.id, skipped)
            for item in skipped:
                self.count(item)

    # -- shared with the strategies (see JobContext) ------------------------------------

    def _retrying(self, fetch: Callable[[], T]) -> T:
        """Planning requests get the same retries as stocks; their failure fails the job."""
        for attempt in range(1, self.options.retries + 1):
            try:
                return fetch()
            except SourceError as failure:
                if failure.code == "cancelled":
                    raise JobCancelled from None
                if not failure.retryable or attempt == self.options.retries:
                    raise SourceError(
                        f"无法获取股票列表或交易日历：{failure}", code=failure.code
                    ) from None
                self.pause(self.options.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def pause(self, seconds: float) -> None:
        """Back off before a retry, but wake at once on cancel."""
        if self.cancel.wait(seconds):
            raise JobCancelled

    def check_cancel(self) -> None:
        """Raise :class:`JobCancelled` if the user cancelled."""
        if self.cancel.is_set():
            raise JobCancelled

    # -- counters -----------------------------------------------------------------------

    def count(self, item: ItemResult) -> None:
        """A stock is finished and logged: update the counters and tell the listener."""
        self.processed += 1
        if item.status is ItemStatus.SUCCESS:
            self.success += 1
            self.rows += item.rows
        elif item.status is ItemStatus.FAILED:
            self.failed += 1
        else:
            self.skipped += 1
        self.listener.item_finished(item)
        self.report_progress()
        self._first_failures.observe(item, remaining=self.total - self.processed)

    def report_progress(self, *, force: bool = False) -> None:
        """Tell the listener the counters, at most every :data:`PROGRESS_INTERVAL`."""
        now = time.monotonic()
        if not force and now - self._last_report < PROGRESS_INTERVAL:
            return
        self._last_report = now
        self.listener.progress(
            Progress(
                self.job.id,
                self.total,
                self.processed,
                self.success,
                self.failed,
                self.skipped,
                self.rows,
                now - self.started,
                self.work_done,
            )
        )


def _listed_on(security: Security, day: dt.date) -> bool:
    return security.listed_between(day, day) is not None
