"""The headless ``stockdesk`` commands: collect, resume, read the job log, set the daily update.

Never imports PySide6: scheduled runs on servers have no Qt. Results go to stdout (one
JSON object with ``--json``), progress and messages to stderr, so a script can pipe the
result while a person watches the progress.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from stockdesk import __version__, config
from stockdesk.collect.collector import Collector
from stockdesk.collect.listener import JobListener
from stockdesk.collect.options import MAX_SESSIONS, CollectOptions
from stockdesk.collect.resume import resume_request
from stockdesk.db.database import Database, open_database
from stockdesk.db.joblog import JobLog
from stockdesk.domain.errors import (
    EXIT_BAD_INPUT,
    EXIT_FAILURES,
    EXIT_JOB_RUNNING,
    EXIT_OK,
    DatabaseError,
    InputError,
    StockDeskError,
)
from stockdesk.domain.frequency import check_securities, chinese_name, item_label
from stockdesk.domain.request import build_request, parse_date, update_request
from stockdesk.domain.values import UNIVERSES, ItemResult, JobRecord, JobRequest, JobStatus
from stockdesk.schedule import lastrun
from stockdesk.schedule.backend import DailySchedule, choose_backend
from stockdesk.schedule.entry import (
    ScheduleEntry,
    absolute_database,
    parse_time,
    program,
    update_command,
)
from stockdesk.source.baostock_source import parse_server

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line (docs/contracts.md); global options work before or after a command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="URL",
        help="SQLite file path or postgresql://user@host:port/dbname (env STOCKDESK_DB)",
    )
    common.add_argument(
        "--server",
        default=argparse.SUPPRESS,
        metavar="HOST:PORT",
        help="baostock server (env STOCKDESK_SERVER; default the public one)",
    )
    common.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="use the built-in simulator on a free loopback port",
    )
    # Passed by the daily schedule's entry (stockdesk/schedule): changes nothing in the run
    # but notes it, so the window can report the scheduled update afterwards.
    common.add_argument(
        "--scheduled", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )

    parser = argparse.ArgumentParser(
        prog="stockdesk",
        parents=[common],
        description="Collect China A-share daily K-line history from baostock into SQLite "
        "or PostgreSQL. "
        "With no command, open the window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="open the window offscreen, collect a short demo job into a "
        "temporary database, check it, print one line and exit",
    )
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="PNG",
        help="with --self-test: save the window after the job, and its data view with a "
        "chart as PNG-data.png",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    collect = commands.add_parser("collect", parents=[common], help="run a collection job")
    collect.add_argument("--start", metavar="YYYY-MM-DD", help="first day of the range")
    collect.add_argument(
        "--end", metavar="YYYY-MM-DD", help="last day (a future day becomes today)"
    )
    chosen = collect.add_mutually_exclusive_group()
    chosen.add_argument("--codes", metavar="C1,C2", help="explicit codes, e.g. sh.600000,000001")
    chosen.add_argument(
        "--universe", default="all", choices=[u for u in UNIVERSES if u not in ("codes", "update")]
    )
    collect.add_argument(
        "--adjust",
        default="3",
        choices=["1", "2", "3"],
        help="1 backward, 2 forward, 3 unadjusted (default)",
    )
    collect.add_argument(
        "--frequency",
        default="d",
        help="d daily (default), w weekly, m monthly, 5/15/30/60 minutes (stocks, from 1999-07-26)",
    )
    collect.add_argument(
        "--resume", metavar="ID", help="continue a job with only the stocks it has not done"
    )
    _job_options(collect)

    update = commands.add_parser(
        "update",
        parents=[common],
        help="bring every stored stock (and the stocks listed since) to the last trading "
        "day the server has, with their adjust factors",
    )
    _job_options(update)

    status = commands.add_parser(
        "status",
        parents=[common],
        help="what the database holds: stocks, rows, last day, stocks behind, gaps",
    )
    status.add_argument("--json", action="store_true", help="print one JSON object")

    export = commands.add_parser(
        "export", parents=[common], help="write stored bars, adjusted on read, to CSV or Parquet"
    )
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument("--codes", metavar="C1,C2", help="explicit codes")
    which.add_argument(
        "--universe",
        choices=["all", "hs300", "sz50", "zz500"],
        help="all: every stored stock; an index: its members on the end date "
        "(asked from the server)",
    )
    export.add_argument("--start", metavar="YYYY-MM-DD")
    export.add_argument("--end", metavar="YYYY-MM-DD")
    export.add_argument(
        "--adjust",
        default="none",
        choices=["none", "qfq", "hfq", "3", "2", "1"],
        help="none (default), qfq forward, hfq backward; or 3, 2, 1",
    )
    export.add_argument(
        "--frequency",
        default="d",
        help="d daily (default), w weekly, m monthly, 5/15/30/60 minutes (stocks only)",
    )
    export.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="FILE",
        help="FILE.csv (UTF-8 with BOM) or FILE.parquet",
    )
    export.add_argument("--json", action="store_true", help="print the result as JSON")

    serve = commands.add_parser(
        "serve",
        parents=[common],
        help="the collection HTTP API (docs at /docs)",
        description="Serve the collection HTTP API over the same engine, job log and one-job "
        "gate as the window and the command line. Listens on 127.0.0.1 unless "
        "told otherwise; any other address needs --token-file.",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this computer only)",
    )
    serve.add_argument("--port", type=_port, default=8765, help="TCP port (default 8765)")
    token = serve.add_mutually_exclusive_group()
    token.add_argument(
        "--token-file",
        type=Path,
        metavar="F",
        help="every request must carry 'Authorization: Bearer <the token in F>'",
    )
    token.add_argument(
        "--new-token",
        type=Path,
        metavar="F",
        help="write a new random token to F (mode 0600) and exit",
    )
    _engine_options(serve)

    jobs = commands.add_parser("jobs", parents=[common], help="read the job log")
    jobs_commands = jobs.add_subparsers(dest="jobs_command", metavar="list|show", required=True)
    listing = jobs_commands.add_parser("list", parents=[common], help="every job, newest first")
    listing.add_argument("--json", action="store_true")
    show = jobs_commands.add_parser("show", parents=[common], help="one job and its failed stocks")
    show.add_argument("id", metavar="ID")
    show.add_argument("--json", action="store_true")

    schedule = commands.add_parser(
        "schedule",
        parents=[common],
        help="run `stockdesk update` every day with the system's scheduler",
    )
    schedule_commands = schedule.add_subparsers(
        dest="schedule_command", metavar="set|show|remove", required=True
    )
    setting = schedule_commands.add_parser(
        "set",
        parents=[common],
        help="every day at HH:MM (local time), with this command's --db and --server",
    )
    setting.add_argument("time", metavar="HH:MM")
    setting.add_argument("--json", action="store_true")
    showing = schedule_commands.add_parser(
        "show", parents=[common], help="the daily update the system holds"
    )
    showing.add_argument("--json", action="store_true")
    removing = schedule_commands.add_parser(
        "remove", parents=[common], help="stop the daily update"
    )
    removing.add_argument("--json", action="store_true")
    return parser


def _job_options(command: argparse.ArgumentParser) -> None:
    """The options of every command that runs a job."""
    _engine_options(command)
    command.add_argument("--json", action="store_true", help="print the job as one JSON object")


def _engine_options(command: argparse.ArgumentParser) -> None:
    """How a job talks to the server: the options of job commands and of ``serve``."""
    command.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    command.add_argument(
        "--outage-timeout",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="how long to wait for a server that goes away mid-job before "
        "the job fails (default 600)",
    )
    command.add_argument(
        "--sessions",
        type=int,
        default=1,
        choices=range(1, MAX_SESSIONS + 1),
        metavar="N",
        help="parallel baostock sessions, 1 (default, polite) "
        f"to {MAX_SESSIONS}; fetching by date uses at least 2",
    )


def _port(text: str) -> int:
    """``--port``: 0 (any free port) to 65535."""
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"端口应为 0-65535 的整数：{text}")
    return int(text)


def run(
    args: argparse.Namespace, *, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr
) -> int:
    """Run a parsed ``collect`` or ``jobs`` command and return its exit code; every error
    becomes a message. (``serve`` is run by :mod:`stockdesk.server`, a sibling of this
    module that the entry point calls.)"""
    try:
        if args.command == "schedule":
            return _schedule(args, stdout)
        with _demo_server(args) as server, _noted_if_scheduled(args):
            database = open_database(
                config.database_target(getattr(args, "db", None), demo=_demo(args)),
                password=config.saved_password,
            )
            try:
                JobLog(database).recover_interrupted()
                if args.command == "collect":
                    request = _request(args, JobLog(database), stderr)
                    return _run_job(args, database, server, request, stdout, stderr)
                if args.command == "update":
                    request = update_request(dt.date.today())
                    return _run_job(args, database, server, request, stdout, stderr)
                if args.command == "status":
                    return _status(args, database, stdout)
                if args.command == "export":
                    return _export(args, database, server, stdout, stderr)
                return _jobs(args, database, stdout)
            finally:
                database.close()
    except DatabaseError as error:
        print(f"数据库错误：{error}", file=stderr)
        return EXIT_BAD_INPUT
    except StockDeskError as error:
        if error.exit_code == EXIT_JOB_RUNNING:
            # A scheduled run has no one reading its stderr: the log says why it stopped.
            log.warning("%s：%s 没有运行", error, args.command)
        print(error, file=stderr)
        return error.exit_code


def _demo(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "demo", False))


@contextlib.contextmanager
def _demo_server(args: argparse.Namespace) -> Iterator[str | None]:
    """The server to use: the simulator when ``--demo``, else ``--server`` or the env."""
    if not _demo(args):
        server = config.server_address(getattr(args, "server", None))
        if server:
            parse_server(server)
        yield server
        return
    from stockdesk.simulator.demo import start_demo_server  # numpy only for the demo

    simulator = start_demo_server()
    try:
        yield simulator.address
    finally:
        simulator.stop()


@contextlib.contextmanager
def _noted_if_scheduled(args: argparse.Namespace) -> Iterator[None]:
    """A run the schedule started (``--scheduled``) is logged and leaves a note of when it
    ran on which database (stockdesk/schedule/lastrun.py) for the window to report."""
    if not getattr(args, "scheduled", False):
        yield
        return
    target = absolute_database(config.database_target(getattr(args, "db", None), demo=_demo(args)))
    log.info("started by the daily schedule: %s on %s", args.command, target)
    path = config.scheduled_run_file()
    run = lastrun.record_start(path, target)
    try:
        yield
    finally:
        lastrun.record_end(path, run)
        log.info("scheduled %s ended", args.command)


# -- collect ----------------------------------------------------------------------------


def _run_job(
    args: argparse.Namespace,
    database: Database,
    server: str | None,
    request: JobRequest,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    """Run one job (collect, resume or update) with progress on stderr."""
    cancel = threading.Event()
    collector = Collector(
        database,
        CollectOptions(
            server=server,
            timeout=args.timeout,
            sessions=args.sessions,
            outage_timeout=args.outage_timeout,
        ),
    )
    reporter = ProgressReporter(stderr)
    with _cancel_on_interrupt(cancel, stderr):
        try:
            job = collector.run(request, listener=reporter, cancel=cancel)
        except InputError as error:
            reporter.close()
            print(error, file=stderr)
            return EXIT_BAD_INPUT
    reporter.close()
    job = JobLog(database).get_job(job.id, with_failures=True) or job
    if args.json:
        print(json.dumps(job_to_dict(job), ensure_ascii=False), file=stdout)
    else:
        _print_job(job, stdout)
    clean = job.status is JobStatus.COMPLETED and job.failed_count == 0
    return EXIT_OK if clean else EXIT_FAILURES


def _request(args: argparse.Namespace, joblog: JobLog, stderr: TextIO) -> JobRequest:
    """The request from ``--resume ID`` or from the dates, universe and adjust type."""
    if args.resume:
        return resume_request(joblog, args.resume)
    if not args.start or not args.end:
        raise InputError("请用 --start 和 --end 指定日期范围（YYYY-MM-DD），或用 --resume 继续任务")
    checked = build_request(
        parse_date(args.start),
        parse_date(args.end),
        adjustflag=args.adjust,
        universe=args.universe,
        codes=args.codes or (),
        frequency=args.frequency,
    )
    for note in checked.notes:
        print(note, file=stderr)
    return checked.request


@contextlib.contextmanager
def _cancel_on_interrupt(cancel: threading.Event, stderr: TextIO) -> Iterator[None]:
    """Ctrl+C asks the job to stop cleanly; a second Ctrl+C stops at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_interrupt(_signum: int, _frame: object) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()
        print("\n正在取消任务，已提交的数据会保留（再按一次 Ctrl+C 立即退出）", file=stderr)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class ProgressReporter(JobListener):
    """Progress on stderr: a tqdm bar on a terminal, plain lines every few seconds
    otherwise (a log file or a scheduler's capture stays readable)."""

    LINE_INTERVAL = 5.0
    """Seconds between plain progress lines, so a log file stays readable."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._last_line = 0.0
        self._bar: Any = None

    def job_started(self, job: JobRecord) -> None:
        self._write_line(f"任务 ID：{job.id}")

    def message(self, text: str) -> None:
        self._write_line(text)

    def item_finished(self, item: ItemResult) -> None:
        if item.status == "failed" and not self._tty:
            label = item_label(item.name, item.frequency)
            self._write_line(f"失败 {item.code} {label}：{item.error_message}")

    def progress(self, progress: Any) -> None:
        counts = (
            f"{progress.processed}/{progress.total} 成功 {progress.success} "
            f"失败 {progress.failed} 跳过 {progress.skipped} 行 {progress.rows}"
        )
        if self._tty:
            bar = self._bar or self._open_bar()
            bar.n = progress.percent
            bar.set_postfix_str(counts, refresh=False)
            bar.refresh()
        elif (
            progress.elapsed - self._last_line >= self.LINE_INTERVAL
            or progress.processed == progress.total
        ):
            self._last_line = progress.elapsed
            eta = "--:--" if progress.eta is None else _clock(progress.eta)
            self._write_line(
                f"进度 {progress.percent}% {counts} 用时 {_clock(progress.elapsed)} 剩余 {eta}"
            )

    def _open_bar(self) -> Any:
        self._bar = progress_bar(self._stream, total=100, unit="%")
        return self._bar

    def close(self) -> None:
        """End the bar so later output starts on a fresh line."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def _write_line(self, text: str) -> None:
        if self._bar is not None:
            self._bar.write(text, file=self._stream)
        else:
            print(text, file=self._stream, flush=True)


def progress_bar(stream: TextIO, *, total: int, unit: str) -> Any:
    """A tqdm bar on ``stream``, redrawn at most 4 times a second."""
    from tqdm import tqdm  # only the terminal's commands draw bars

    return tqdm(
        total=total,
        file=stream,
        unit=unit,
        mininterval=0.25,
        dynamic_ncols=True,
        bar_format="{l_bar}{bar}| {elapsed}<{remaining} {postfix}",
    )


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


# -- status and export --------------------------------------------------------------------


def _status(args: argparse.Namespace, database: Database, stdout: TextIO) -> int:
    from stockdesk.data.status import read_status

    status = read_status(database)
    if args.json:
        print(json.dumps(status.to_dict(), ensure_ascii=False), file=stdout)
        return EXIT_OK
    if not status.frequencies:
        print("数据库中还没有K线数据（用 stockdesk collect 采集）", file=stdout)
        return EXIT_OK
    for item in status.frequencies:
        held = f"股票 {item.stocks} 只" + (f"、指数 {item.indices} 只" if item.indices else "")
        adjust = _ADJUST_NAMES.get(item.adjustflag, item.adjustflag)
        print(
            f"{chinese_name(item.frequency)}（{adjust}）："
            f"{held}，{item.rows} 行，{item.first_day} ~ {item.last_day}",
            file=stdout,
        )
    if status.stocks + status.indices == 0:
        print("数据库中还没有不复权的日线数据（用 stockdesk collect 采集）", file=stdout)
        return EXIT_OK
    print(
        f"落后于最后一个交易日的股票：{status.stocks_behind} 只（stockdesk update 补齐）",
        file=stdout,
    )
    print(
        f"有缺口的股票：{status.stocks_with_gaps} 只，共缺 {status.missing_days} 个交易日"
        + (f"；{status.gaps_unknown} 只尚未统计" if status.gaps_unknown else ""),
        file=stdout,
    )
    print(f"复权因子未更新到最后一天的股票：{status.factors_behind} 只", file=stdout)
    if status.coverage_pending:
        print("上次任务未正常结束，下一次任务开始时会重新统计覆盖情况", file=stdout)
    return EXIT_OK


_ADJUST_NAMES = {"1": "后复权", "2": "前复权", "3": "不复权"}
"""baostock's adjust flags as the command line names them."""


def _export(
    args: argparse.Namespace, database: Database, server: str | None, stdout: TextIO, stderr: TextIO
) -> int:
    from stockdesk.data.bars import adjust_flag
    from stockdesk.data.export import export_bars
    from stockdesk.db.barstore import BarStore
    from stockdesk.domain.codes import parse_codes

    start = parse_date(args.start) if args.start else None
    end = parse_date(args.end) if args.end else None
    if start and end and start > end:
        raise InputError(f"开始日期 {start} 晚于结束日期 {end}，请调整日期范围")
    flag = adjust_flag(args.adjust)
    frequency = args.frequency
    chosen = list(parse_codes(args.codes)) if args.codes else []
    check_securities(frequency, codes=chosen)
    stored = _stored_codes(database, frequency)
    if args.codes:
        codes = chosen
    elif args.universe == "all":
        # Stocks only: indices stored by --universe index are exported by their codes.
        kinds = {s.code: s.type for s in BarStore(database).securities(stored)}
        codes = [code for code in stored if kinds.get(code) != "2"]
    else:
        codes = _index_members(args.universe, end or dt.date.today(), server)
        codes = [code for code in codes if code in set(stored)]
    bar = progress_bar(stderr, total=len(codes), unit="只") if stderr.isatty() else None
    last_line = [0.0]

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.update(done - bar.n)
        elif time.monotonic() - last_line[0] >= ProgressReporter.LINE_INTERVAL or done == total:
            last_line[0] = time.monotonic()
            print(f"导出进度 {done}/{total}", file=stderr, flush=True)

    try:
        result = export_bars(
            database, codes, start, end, flag, args.out, frequency=frequency, progress=progress
        )
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        print(
            json.dumps(
                {
                    "path": str(result.path),
                    "stocks": result.stocks,
                    "rows": result.rows,
                    "adjustflag": str(flag),
                    "frequency": frequency,
                },
                ensure_ascii=False,
            ),
            file=stdout,
        )
    else:
        print(
            f"已导出 {result.stocks} 只股票的{chinese_name(frequency)}、{result.rows} 行到 "
            f"{result.path}",
            file=stdout,
        )
    return EXIT_OK


def _stored_codes(database: Database, frequency: str) -> list[str]:
    """The codes with unadjusted ``frequency`` bars, from the coverage summaries."""
    from stockdesk.db.coverage import CoverageStore

    coverage = CoverageStore(database)
    if frequency == "d":
        return sorted(code for code, _flag in coverage.coverage("3"))
    return sorted({row.code for row in coverage.frames(frequency=frequency, adjustflag="3")})


def _index_members(index: str, day: dt.date, server: str | None) -> list[str]:
    from stockdesk.source.baostock_source import BaostockSource

    with BaostockSource(server) as source:
        return source.index_members(index, day)


# -- jobs -------------------------------------------------------------------------------


def _jobs(args: argparse.Namespace, database: Database, stdout: TextIO) -> int:
    joblog = JobLog(database)
    if args.jobs_command == "list":
        jobs = joblog.list_jobs()
        if args.json:
            print(json.dumps([job_to_dict(job) for job in jobs], ensure_ascii=False), file=stdout)
        else:
            for listed in jobs:
                print(_job_line(listed), file=stdout)
            if not jobs:
                print("还没有采集任务", file=stdout)
        return EXIT_OK
    job = joblog.get_job(args.id, with_failures=True)
    if job is None:
        raise InputError(f"没有找到任务：{args.id}")
    if args.json:
        print(json.dumps(job_to_dict(job), ensure_ascii=False), file=stdout)
    else:
        _print_job(job, stdout)
    return EXIT_OK


def job_to_dict(job: JobRecord) -> dict[str, Any]:
    """The job as JSON-ready values: its id, the fields of its record and the request
    (docs/contracts.md)."""
    data = asdict(job)
    for key, value in data.items():
        if isinstance(value, (dt.date, dt.datetime)):
            data[key] = value.isoformat()
    data["failed_details"] = [
        {
            key: (value.isoformat() if isinstance(value, dt.datetime) else value)
            for key, value in detail.items()
        }
        for detail in data["failed_details"]
    ]
    return data


def _job_line(job: JobRecord) -> str:
    duration = job.duration
    took = _clock(duration.total_seconds()) if duration else "-"
    return (
        f"{job.id}  {job.status:<11} {job.start_date}~{job.end_date}  "
        f"{job.progress}% {job.processed_stocks}/{job.total_stocks} 成功 {job.success_count} "
        f"失败 {job.failed_count} 跳过 {job.skipped_count} 行 {job.collected_count}  "
        f"开始 {job.start_time:%Y-%m-%d %H:%M:%S} 用时 {took}"
    )


def _print_job(job: JobRecord, stdout: TextIO) -> None:
    print(_job_line(job), file=stdout)
    if job.error_message:
        print(f"错误：{job.error_message}", file=stdout)
    for item in job.failed_details:
        print(
            f"  失败 {item.code} {item_label(item.name, item.frequency)} "
            f"[{item.error_code}] {item.error_message}"
            f"（尝试 {item.attempts} 次）",
            file=stdout,
        )


# -- schedule ---------------------------------------------------------------------------


def _schedule(args: argparse.Namespace, stdout: TextIO) -> int:
    """``schedule set|show|remove``: the daily ``stockdesk update`` in the system's scheduler."""
    daily = DailySchedule(choose_backend(), scheduled_command(args))
    where = {"backend": daily.backend.name, "location": daily.backend.location}
    if args.schedule_command == "remove":
        removed = daily.remove()
        if args.json:
            print(json.dumps({"removed": removed, **where}, ensure_ascii=False), file=stdout)
        elif removed:
            print(f"已取消每日更新（{daily.description}）", file=stdout)
        else:
            print("尚未设置每日更新，无需取消", file=stdout)
        return EXIT_OK
    if args.schedule_command == "set":
        time = parse_time(args.time)
        if _demo(args):
            raise InputError("每日更新采集真实行情，不能与 --demo 一起设置")
        entry: ScheduleEntry | None = daily.set(time)
    else:
        entry = daily.read()
    if args.json:
        print(json.dumps(schedule_to_dict(daily, entry), ensure_ascii=False), file=stdout)
    elif entry is None:
        print("尚未设置每日更新（用 stockdesk schedule set HH:MM 设置）", file=stdout)
    else:
        done = "已设置每日更新" if args.schedule_command == "set" else "每日更新"
        print(
            f"{done}：每天 {entry.clock} 运行\n  {entry.command_line()}\n"
            f"方式：{daily.description}（{daily.backend.location}）\n{daily.missed_runs}",
            file=stdout,
        )
    return EXIT_OK


def scheduled_command(args: argparse.Namespace) -> tuple[str, ...]:
    """The command the daily entry runs for this command line's ``--db`` and ``--server``."""
    return daily_command(getattr(args, "db", None), getattr(args, "server", None))


def daily_command(database: str | None, server: str | None) -> tuple[str, ...]:
    """The command the daily entry runs: this program's ``update`` with the database and
    server given (as an option or in the environment), for the scheduler starts it with
    neither.

    Raises:
        InputError: the server address is not HOST:PORT.
    """
    database = database or os.environ.get(config.DB_ENV)
    server = config.server_address(server)
    if server:
        parse_server(server)
    return update_command(
        program(), database=absolute_database(database) if database else None, server=server
    )


def schedule_to_dict(daily: DailySchedule, entry: ScheduleEntry | None) -> dict[str, Any]:
    """The schedule as JSON-ready values (``schedule show --json``)."""
    where = {"backend": daily.backend.name, "location": daily.backend.location}
    if entry is None:
        return {"scheduled": False, **where}
    return {
        "scheduled": True,
        "time": entry.clock,
        "command": list(entry.command),
        "command_line": entry.command_line(),
        **where,
        "missed_runs": daily.missed_runs,
    }
