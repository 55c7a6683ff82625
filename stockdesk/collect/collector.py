"""The collector: plan the universe, fetch each stock, check it, store it, log the job.

The same collector serves the window and the command line; it knows nothing about Qt.
It reports through a :class:`JobListener` and stops when its cancel event is set. It
plans the job and lets :mod:`~stockdesk.collect.strategy` choose how to fetch it: by
date (:mod:`~stockdesk.collect.per_date`) or stock by stock
(:mod:`~stockdesk.collect.per_stock`). Either way memory does not grow with the job.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from stockdesk.collect.cancelled import JobCancelled
from stockdesk.collect.checks import TradingCalendar
from stockdesk.collect.coverage import (
    ONE_DAY,
    CoverageTracker,
    KnownCalendar,
    recounted,
    with_missing,
)
from stockdesk.collect.early_stop import FirstFailures, SameFailureError
from stockdesk.collect.factors import collect_factors, plan_factors
from stockdesk.collect.frame_plan import FramePlan, complete_cutoff, plan_collect, plan_updates
from stockdesk.collect.frames import collect_frames
from stockdesk.collect.listener import JobListener
from stockdesk.collect.options import CollectOptions
from stockdesk.collect.per_date import collect_per_date
from stockdesk.collect.per_stock import collect_per_stock
from stockdesk.collect.strategy import PER_DATE, PER_STOCK, choose_strategy, per_stock_strategy
from stockdesk.db.barstore import BarStore
from stockdesk.db.coverage import CoverageStore
from stockdesk.db.database import Database
from stockdesk.db.framestore import FrameStore
from stockdesk.db.joblog import JobLog
from stockdesk.domain.errors import (
    DatabaseError,
    InputError,
    JobRunningError,
    LoginError,
    ServerGoneError,
    SourceError,
)
from stockdesk.domain.frequency import DAILY
from stockdesk.domain.values import (
    INDEX,
    STOCK,
    UPDATE,
    AdjustFlag,
    Coverage,
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

EMPTY_DATABASE_MESSAGE = (
    "数据库中还没有不复权的K线数据，没有可以更新的股票。请先用 stockdesk collect "
    "--start YYYY-MM-DD --end YYYY-MM-DD 采集一段历史，之后再用 update 保持最新"
)

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
                An update of a database holding no unadjusted bars raises it before any
                job is logged.
        Any other failure (login refused or server unreachable at the start, a server gone
        mid-job for longer than ``outage_timeout``, the first stocks all failing the same
        way (:mod:`~stockdesk.collect.early_stop`), database unusable midway) ends the job
        as ``failed`` with a user-facing ``error_message``; it is returned.
        """
        joblog = JobLog(self._database)
        if request.universe == UPDATE and not _holds_unadjusted(CoverageStore(self._database)):
            # A job that is running may be filling the empty database: that comes first.
            if not joblog.gate_open():
                raise JobRunningError()
            raise InputError(EMPTY_DATABASE_MESSAGE)
        job = joblog.start_job(request, thread_id=thread_id)
        listener = listener or JobListener()
        listener.job_started(job)
        run = _JobRun(
            job,
            request,
            self._options,
            joblog,
            BarStore(self._database),
            CoverageStore(self._database),
            listener,
            cancel or threading.Event(),
            FrameStore(self._database),
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
        coverage_store: CoverageStore,
        listener: JobListener,
        cancel: threading.Event,
        frames: FrameStore,
    ) -> None:
        self.job = job
        self.frames = frames
        self.request = request
        self.options = options
        self.joblog = joblog
        self.store = store
        self.coverage_store = coverage_store
        self.coverage = CoverageTracker(request.adjustflag, {}, {}, KnownCalendar(()))
        self._coverage_rows: dict[str, Coverage] = {}
        self.spans: dict[str, tuple[dt.date, dt.date]] = {}
        """Each stock's own range, where it is not the request's (an update)."""
        self.frame_plans: list[FramePlan] = []
        """The weekly, monthly or minute bars the job fetches (of each frequency an
        update extends)."""
        self.listener = listener
        self.cancel = cancel
        self.started = time.monotonic()
        self.total = self.processed = self.success = self.failed = self.skipped = 0
        self.indices = 0
        """How many of the planned items are of indices (told apart in the plan's message)."""
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
            stocks, calendar, known, target = self._plan(source)
            if self.request.frequency == DAILY and (stocks or not self.frame_plans):
                self._collect_daily(source, stocks, calendar, known, target)
            else:
                self._announce(PER_STOCK, calendar)
            if self.frame_plans:
                self._collect_frames(source, stocks, known, target)
            if self.request.universe == UPDATE and self.total == self.skipped:
                self.listener.message(f"数据库已是最新：最后一个交易日 {self.request.end_date}")
        finally:
            source.logout()
            self._settle_coverage()

    def _collect_daily(
        self,
        source: BaostockSource,
        stocks: list[Security],
        calendar: TradingCalendar,
        known: KnownCalendar,
        target: dt.date | None,
    ) -> None:
        """Daily bars: by date or stock by stock (:mod:`~stockdesk.collect.strategy`),
        after the stocks' factors."""
        todo, stored = self._split_stored(stocks, calendar, known)
        strategy = choose_strategy(
            self.request,
            stocks=len(todo),
            days=len(_days_to_fetch(todo, calendar, self)),
            options=self.options,
        )
        self._announce(strategy.name, calendar)
        alongside: list[tuple[Security, dt.date]] = []
        if target is not None:
            factors = plan_factors(stocks, self.coverage_store.factors_checked(), known, target)
            if strategy.name == PER_DATE and strategy.workers:
                # The workers fetching by date also fetch these stocks' histories,
                # between the days: a fresh database's one request per stock then
                # overlaps the writing (docs/architecture.md).
                fetched = {s.code for s in todo}
                alongside = [(s, until) for s, until in factors.by_history if s.code in fetched]
                factors.by_history = [
                    (s, until) for s, until in factors.by_history if s.code not in fetched
                ]
            failed = collect_factors(
                self,
                source,
                factors,
                workers=max(strategy.workers, 2 if strategy.name == PER_DATE else 0),
            )
            self._fail(failed)
            gone = {item.code for item in failed}
            todo = [s for s in todo if s.code not in gone]
            stored = [item for item in stored if item.code not in gone]
        self._log_skipped(stored)
        if strategy.name == PER_DATE:
            # The market's reply of a day holds A-shares only: indices go stock by stock.
            others = [s for s in todo if s.type != STOCK]
            todo, failed = collect_per_date(
                self,
                source,
                [s for s in todo if s.type == STOCK],
                calendar,
                workers=strategy.workers,
                histories=alongside,
            )
            todo += others
            self._fail(failed)
            strategy = per_stock_strategy(stocks=len(todo), options=self.options)
        collect_per_stock(self, source, todo, calendar, workers=strategy.workers)

    def _collect_frames(
        self,
        source: BaostockSource,
        daily: list[Security],
        known: KnownCalendar,
        target: dt.date | None,
    ) -> None:
        """Weekly, monthly or minute bars (:mod:`~stockdesk.collect.frames`), after the
        stocks' factors: their prices are adjusted on read with them, as daily bars are.
        ``daily`` are the stocks this job already fetched daily bars and factors of."""
        for plan in self.frame_plans:
            self._log_skipped(plan.skipped)
            if target is not None:
                done = {s.code for s in daily}
                stocks = [task.security for task in plan.tasks]
                factors = plan_factors(
                    [s for s in stocks if s.code not in done],
                    self.coverage_store.factors_checked(),
                    known,
                    target,
                )
                failed = [
                    replace(item, frequency=plan.frequency)
                    for item in collect_factors(self, source, factors, workers=0)
                ]
                self._fail(failed)
                gone = {item.code for item in failed}
                plan.tasks = [task for task in plan.tasks if task.security.code not in gone]
            collect_frames(self, source, plan, known, self.frames)

    def _fail(self, failed: list[ItemResult]) -> None:
        """Log and count stocks that failed outside the strategies' own commits."""
        if failed:
            self.joblog.record_items(self.job.id, failed)
            for item in failed:
                self.count(item)

    def span(self, security: Security) -> tuple[dt.date, dt.date]:
        """The range of days the job fetches of ``security``."""
        return self.spans.get(security.code, (self.request.start_date, self.request.end_date))

    def _login(self, source: BaostockSource) -> None:
        """The job's first login: a server that does not answer now is not waited for."""
        self.listener.message(f"正在登录 {source.server} ...")
        try:
            source.login()
        except LoginError as error:
            if error.code == "cancelled":
                raise JobCancelled from None
            raise

    def _plan(
        self, source: BaostockSource
    ) -> tuple[list[Security], TradingCalendar, KnownCalendar, dt.date | None]:
        """Find the stocks, their ranges and listing dates, the calendar of the job's
        range, every trading day known, and the last trading day the server has."""
        request = self.request
        today = dt.date.today()
        # First: a job that died may have left rows its coverage does not count, and
        # everything below plans from the coverage.
        stored_calendar = self.coverage_store.calendar()
        self._repair_coverage(KnownCalendar(stored_calendar))
        coverage = {
            code: row
            for (code, _flag), row in self.coverage_store.coverage(request.adjustflag).items()
        }
        earliest = min((row.first_day for row in coverage.values()), default=None)
        update = request.universe == UPDATE
        start = request.start_date if not update else (earliest or today)
        known = self._calendar(source, stored_calendar, min(start, earliest or start), today)
        securities = {s.code: s for s in self._retrying(source.securities)}
        self.store.save_securities(securities.values())
        if update:
            target = self._published(source, known, today)
            stocks = self._update_stocks(securities, coverage, known, target) if coverage else []
            self.frame_plans = plan_updates(
                self.coverage_store.frames(adjustflag=AdjustFlag.NONE),
                securities,
                known,
                today,
                target,
            )
        else:
            # The last day whose data may still be coming is not taken as known.
            target = known.last_trading_day(today - ONE_DAY)
            stocks = self._universe(
                source,
                securities,
                TradingCalendar(known.between(request.start_date, request.end_date)),
            )
        calendar = TradingCalendar(known.between(self.request.start_date, self.request.end_date))
        if update:
            self._extend_range()
        if request.resumes and not update:
            done = self.joblog.done_codes(request.resumes)
            stocks = [s for s in stocks if s.code not in done]
        if request.frequency != DAILY:
            frequency, flag = request.frequency, str(request.adjustflag)
            stored = self.coverage_store.frames(frequency=frequency, adjustflag=flag)
            self.frame_plans = [
                plan_collect(
                    frequency,
                    flag,
                    stocks,
                    (request.start_date, request.end_date),
                    {row.code: row for row in stored},
                    known,
                    complete_cutoff(frequency, today, target),
                )
            ]
            stocks = []
        self.total = len(stocks) + sum(
            len(plan.tasks) + len(plan.skipped) for plan in self.frame_plans
        )
        planned = [*stocks, *(task.security for plan in self.frame_plans for task in plan.tasks)]
        self.indices = sum(1 for security in planned if security.type == INDEX)
        self._coverage_rows = {s.code: coverage[s.code] for s in stocks if s.code in coverage}
        return stocks, calendar, known, target

    def _calendar(
        self,
        source: BaostockSource,
        stored: list[tuple[dt.date, bool]],
        start: dt.date,
        today: dt.date,
    ) -> KnownCalendar:
        """Every trading day from ``start`` to today: the ``stored`` calendar, and what the
        server adds to it (one request for the days since the last job)."""
        fetched: list[tuple[dt.date, bool]] = []
        for low, high in KnownCalendar(stored).gaps(start, today):
            fetched.extend(self._retrying(functools.partial(source.calendar, low, high)))
        fetched = [(day, is_open) for day, is_open in fetched if day <= today]
        self.coverage_store.save_calendar(fetched)
        return KnownCalendar([*stored, *fetched])

    def _published(
        self, source: BaostockSource, known: KnownCalendar, today: dt.date
    ) -> dt.date | None:
        """The last trading day the server has data of: today only once it is out."""
        last = known.last_trading_day(today)
        if last == today and not self._retrying(lambda: source.has_day_data(today)):
            last = known.last_trading_day(today - ONE_DAY)
        return last

    def _universe(
        self, source: BaostockSource, securities: dict[str, Security], calendar: TradingCalendar
    ) -> list[Security]:
        request = self.request
        if request.universe == "codes":
            unknown = [code for code in request.codes if code not in securities]
            if unknown:
                raise InputError(f"服务器上没有这些股票代码：{'、'.join(unknown)}")
            return [securities[code] for code in request.codes]
        day = calendar.last_day
        if day is None:
            return []
        if request.universe in ("all", "index"):
            kind = STOCK if request.universe == "all" else INDEX
            return [s for s in securities.values() if s.type == kind and _listed_on(s, day)]
        codes = self._retrying(lambda: source.index_members(request.universe, day))
        return [securities[code] for code in codes if code in securities]

    def _update_stocks(
        self,
        securities: dict[str, Security],
        coverage: dict[str, Coverage],
        known: KnownCalendar,
        target: dt.date | None,
    ) -> list[Security]:
        """Every stored stock from the day after its last, and every stock listed since
        the database's last day from its listing (or the database's first day, whichever
        is later), up to ``target``; sets the job's range to the days they need."""
        if target is None:
            return []
        first = min(row.first_day for row in coverage.values())
        last = max(row.last_day for row in coverage.values())
        stocks: list[Security] = []
        unknown = []
        for code, row in sorted(coverage.items()):
            security = securities.get(code)
            if security is None:
                unknown.append(code)
                continue
            stocks.append(security)
            self.spans[code] = (row.last_day + ONE_DAY, target)
        for code, security in sorted(securities.items()):
            if (
                security.type == STOCK
                and code not in coverage
                and security.ipo_date
                and security.ipo_date > last
            ):
                stocks.append(security)
                self.spans[code] = (max(security.ipo_date, first), target)
        if unknown:
            self.listener.message(
                f"服务器上已没有 {len(unknown)} 只已存股票，不再更新：{'、'.join(unknown[:10])}"
            )
        starts = [
            days[0] for low, high in self.spans.values() if (days := known.between(low, high))
        ]
        self.request = replace(
            self.request, start_date=min(starts, default=target), end_date=target
        )
        return stocks

    def _extend_range(self) -> None:
        """An update's range also spans the weekly, monthly and minute bars it extends."""
        starts = [task.start for plan in self.frame_plans for task in plan.tasks]
        if not starts:
            return
        ends = [plan.cutoff for plan in self.frame_plans]
        if self.spans:
            starts.append(self.request.start_date)
            ends.append(self.request.end_date)
        self.request = replace(self.request, start_date=min(starts), end_date=max(ends))

    def _announce(self, strategy: str, calendar: TradingCalendar) -> None:
        """Log the plan and how it will be fetched, and tell the listener."""
        update = self.request.universe == UPDATE
        self.joblog.set_plan(
            self.job.id,
            total=self.total,
            strategy=strategy,
            start_date=self.request.start_date if update else None,
            end_date=self.request.end_date if update else None,
        )
        self.job.total_stocks, self.job.strategy = self.total, strategy
        self.job.start_date, self.job.end_date = self.request.start_date, self.request.end_date
        self.listener.plan_ready(self.job.copy())
        what = f"只证券（其中 {self.indices} 个指数）" if self.indices else "只股票"
        self.listener.message(
            f"共 {self.total} {what}，{len(calendar.days)} 个交易日（{strategy}）"
        )

    def _split_stored(
        self, stocks: list[Security], calendar: TradingCalendar, known: KnownCalendar
    ) -> tuple[list[Security], list[ItemResult]]:
        """The stocks left to fetch, and skipped items for those already stored in full.

        Also starts the job's coverage tracker with what each stock holds now."""
        request = self.request
        expected = {s.code: calendar.expected_days(s, *self.span(s)) for s in stocks}
        if self.spans:
            counts = self.store.span_counts(
                [(s.code, *self.span(s)) for s in stocks if expected[s.code]], request.adjustflag
            )
        else:
            counts = self.store.row_counts(
                request.start_date,
                request.end_date,
                request.adjustflag,
                [s.code for s in stocks],
            )
        self.coverage = CoverageTracker(request.adjustflag, self._coverage_rows, counts, known)
        todo: list[Security] = []
        skipped: list[ItemResult] = []
        for security in stocks:
            if counts.get(security.code, 0) >= len(expected[security.code]):
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

    def _repair_coverage(self, known: KnownCalendar) -> None:
        """Recount what a job that died left uncounted; count the missing days of rows
        that had no calendar to count them with (a database from before coverage)."""
        store = self.coverage_store
        pending = store.pending_jobs()
        if pending:
            self.listener.message("上次任务未正常结束，正在重新统计数据覆盖情况 ...")
            store.replace_coverage(recounted(store.recount_all(), known), clear=pending)
            return
        unknown = [
            with_missing(row, known)
            for row in store.coverage().values()
            if row.missing_days is None
        ]
        counted = [row for row in unknown if row.missing_days is not None]
        if counted:
            store.replace_coverage(counted)

    def _settle_coverage(self) -> None:
        """Recount the stocks whose rows were committed before they completed, and clear
        the job's pending mark; a failure leaves the mark for the next job."""
        try:
            partial = self.coverage.partial
            rows = self.coverage_store.recount(
                (code, self.coverage.adjustflag) for code in sorted(partial)
            )
            fresh = recounted(rows, self.coverage.calendar)
            self.coverage_store.replace_coverage(fresh, clear=[self.job.id])
            partial.clear()
        except DatabaseError as failure:
            log.error("could not recount the coverage of %s: %s", self.job.id, failure)

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


def _days_to_fetch(
    stocks: list[Security], calendar: TradingCalendar, run: _JobRun
) -> list[dt.date]:
    """The days of the job's calendar that some stock left to fetch needs."""
    if not run.spans:
        return calendar.days
    starts = [run.span(s)[0] for s in stocks]
    first = min(starts, default=None)
    return [] if first is None else [day for day in calendar.days if day >= first]


def _holds_unadjusted(store: CoverageStore) -> bool:
    """Whether the database holds unadjusted bars of any frequency an update extends."""
    return bool(store.coverage(AdjustFlag.NONE) or store.frames(adjustflag=AdjustFlag.NONE))


def _listed_on(security: Security, day: dt.date) -> bool:
    return security.listed_between(day, day) is not None
