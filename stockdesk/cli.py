"""The headless ``stockdesk`` commands: collect, resume, and read the job log.

Never imports PySide6: scheduled runs on servers have no Qt. Results go to stdout (one
JSON object with ``--json``), progress and messages to stderr, so a script can pipe the
result while a person watches the progress.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import signal
import sys
import threading
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
    EXIT_OK,
    DatabaseError,
    InputError,
    StockDeskError,
)
from stockdesk.domain.request import build_request, parse_date
from stockdesk.domain.values import UNIVERSES, ItemResult, JobRecord, JobRequest, JobStatus
from stockdesk.source.baostock_source import parse_server


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
        help="with --self-test: save the window after the job",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    collect = commands.add_parser("collect", parents=[common], help="run a collection job")
    collect.add_argument("--start", metavar="YYYY-MM-DD", help="first day of the range")
    collect.add_argument(
        "--end", metavar="YYYY-MM-DD", help="last day (a future day becomes today)"
    )
    chosen = collect.add_mutually_exclusive_group()
    chosen.add_argument("--codes", metavar="C1,C2", help="explicit codes, e.g. sh.600000,000001")
    chosen.add_argument("--universe", default="all", choices=[u for u in UNIVERSES if u != "codes"])
    collect.add_argument(
        "--adjust",
        default="3",
        choices=["1", "2", "3"],
        help="1 backward, 2 forward, 3 unadjusted (default)",
    )
    collect.add_argument(
        "--resume", metavar="ID", help="continue a job with only the stocks it has not done"
    )
    collect.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    collect.add_argument(
        "--outage-timeout",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="how long to wait for a server that goes away mid-job before "
        "the job fails (default 600)",
    )
    collect.add_argument(
        "--sessions",
        type=int,
        default=1,
        choices=range(1, MAX_SESSIONS + 1),
        metavar="N",
        help="parallel baostock sessions, 1 (default, polite) "
        f"to {MAX_SESSIONS}; fetching by date uses at least 2",
    )
    collect.add_argument("--json", action="store_true", help="print the job as one JSON object")

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
    serve.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    serve.add_argument(
        "--outage-timeout",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="how long a job waits for a server gone mid-job (default 600)",
    )
    serve.add_argument(
        "--sessions",
        type=int,
        default=1,
        choices=range(1, MAX_SESSIONS + 1),
        metavar="N",
        help=f"parallel baostock sessions per job, 1 to {MAX_SESSIONS}",
    )

    jobs = commands.add_parser("jobs", parents=[common], help="read the job log")
    jobs_commands = jobs.add_subparsers(dest="jobs_command", metavar="list|show", required=True)
    listing = jobs_commands.add_parser("list", parents=[common], help="every job, newest first")
    listing.add_argument("--json", action="store_true")
    show = jobs_commands.add_parser("show", parents=[common], help="one job and its failed stocks")
    show.add_argument("id", metavar="ID")
    show.add_argument("--json", action="store_true")
    return parser


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
        with _demo_server(args) as server:
            database = open_database(
                config.database_target(getattr(args, "db", None), demo=_demo(args)),
                password=config.saved_password,
            )
            try:
                JobLog(database).recover_interrupted()
                if args.command == "collect":
                    return _collect(args, database, server, stdout, stderr)
                return _jobs(args, database, stdout)
            finally:
                database.close()
    except DatabaseError as error:
        print(f"数据库错误：{error}", file=stderr)
        return EXIT_BAD_INPUT
    except StockDeskError as error:
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


# -- collect ----------------------------------------------------------------------------


def _collect(
    args: argparse.Namespace, database: Database, server: str | None, stdout: TextIO, stderr: TextIO
) -> int:
    request = _request(args, JobLog(database), stderr)
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
    """Progress on stderr: one redrawn bar on a terminal, plain lines otherwise."""

    LINE_INTERVAL = 5.0
    """Seconds between plain progress lines, so a log file stays readable."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._last_line = 0.0
        self._drawn = False

    def job_started(self, job: JobRecord) -> None:
        self._write_line(f"任务 ID：{job.id}")

    def message(self, text: str) -> None:
        self._write_line(text)

    def item_finished(self, item: ItemResult) -> None:
        if item.status == "failed" and not self._tty:
            self._write_line(f"失败 {item.code} {item.name}：{item.error_message}")

    def progress(self, progress: Any) -> None:
        eta = "--:--" if progress.eta is None else _clock(progress.eta)
        counts = (
            f"{progress.processed}/{progress.total} 成功 {progress.success} "
            f"失败 {progress.failed} 跳过 {progress.skipped} 行 {progress.rows} "
            f"用时 {_clock(progress.elapsed)} 剩余 {eta}"
        )
        if self._tty:
            filled = progress.percent * 30 // 100
            bar = "#" * filled + "-" * (30 - filled)
            self._stream.write(f"\r[{bar}] {progress.percent:3d}% {counts}\x1b[K")
            self._stream.flush()
            self._drawn = True
        elif (
            progress.elapsed - self._last_line >= self.LINE_INTERVAL
            or progress.processed == progress.total
        ):
            self._last_line = progress.elapsed
            self._write_line(f"进度 {progress.percent}% {counts}")

    def close(self) -> None:
        """End the redrawn bar's line so later output starts on a fresh one."""
        if self._drawn:
            self._stream.write("\n")
            self._drawn = False

    def _write_line(self, text: str) -> None:
        self.close()
        print(text, file=self._stream, flush=True)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


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
            f"  失败 {item.code} {item.name} [{item.error_code}] {item.error_message}"
            f"（尝试 {item.attempts} 次）",
            file=stdout,
        )
