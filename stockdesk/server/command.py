"""``stockdesk serve``: check where to listen, open the database, run uvicorn, stop cleanly.

Behaves like a service: jobs left ``running`` by a server that was killed are marked
``interrupted`` at start-up, as every other start does; Ctrl+C or SIGTERM cancels the
running job (logged ``cancelled``, its committed stocks kept) before the process exits 0;
the access log goes to the rotating log file, with no token in it (the token travels in a
header, which is never logged).

uvicorn is configured with classes and names resolved here, not its "auto" choices, so the
bundle (stockdesk.spec lists what uvicorn still imports by name) runs the same server as a
source checkout: HTTP/1.1 by h11, the asyncio loop, no websockets.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import socket
import sys
from collections.abc import Callable, Iterator
from types import FrameType
from typing import TextIO

import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

from stockdesk import config, logs
from stockdesk.collect.options import CollectOptions
from stockdesk.db.database import open_database
from stockdesk.db.joblog import JobLog
from stockdesk.domain.errors import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    DatabaseError,
    InputError,
    StockDeskError,
)
from stockdesk.server.app import create_app
from stockdesk.server.auth import (
    LOOPBACK_NAMES,
    check_bind,
    is_loopback,
    new_token_file,
    read_token_file,
)
from stockdesk.server.jobs import JobRunner
from stockdesk.source.baostock_source import parse_server

log = logging.getLogger(__name__)

SHUTDOWN_WAIT = 30.0
"""Longest the server waits for a cancelled job to end before it exits anyway (the job is
then ``interrupted`` at the next start)."""
GRACEFUL_SECONDS = 5
"""Longest uvicorn waits for open requests when asked to stop."""
EXIT_INTERRUPTED = 130
"""Exit code when a second Ctrl+C cut the shutdown short (the shells' 128 + SIGINT)."""


def serve(args: argparse.Namespace, *, stderr: TextIO = sys.stderr) -> int:
    """Run ``stockdesk serve`` from its parsed arguments; return the exit code."""
    try:
        if args.new_token is not None:
            new_token_file(args.new_token)
            print(f"已写入新的访问令牌：{args.new_token}（仅所有者可读）", file=stderr)
            return EXIT_OK
        token = read_token_file(args.token_file) if args.token_file is not None else None
        check_bind(args.host, token)
        return _serve(args, token, stderr)
    except DatabaseError as error:
        print(f"数据库错误：{error}", file=stderr)
        return EXIT_BAD_INPUT
    except StockDeskError as error:
        print(error, file=stderr)
        return error.exit_code
    except KeyboardInterrupt:  # Ctrl+C again while the cancelled job was still ending
        print("已强制停止：正在运行的任务会在下次启动时标记为中断", file=stderr)
        return EXIT_INTERRUPTED


def _serve(args: argparse.Namespace, token: str | None, stderr: TextIO) -> int:
    _log_to(stderr)
    demo = bool(getattr(args, "demo", False))
    with _baostock_server(getattr(args, "server", None), demo=demo) as server:
        database = open_database(config.database_target(getattr(args, "db", None), demo=demo))
        runner = JobRunner(
            database,
            CollectOptions(
                server=server,
                timeout=args.timeout,
                sessions=args.sessions,
                outage_timeout=args.outage_timeout,
            ),
        )
        try:
            joblog = JobLog(database)
            for job_id in joblog.recover_interrupted():
                log.info("job %s was left running by a process that ended: interrupted", job_id)
            listener = _bind(args.host, args.port)
            hosts = LOOPBACK_NAMES | {args.host} if is_loopback(args.host) else None
            app = create_app(runner, joblog, token=token, hosts=hosts)
            url = _url(args.host, listener.getsockname()[1])
            log.info(
                "database %s, baostock server %s%s",
                database.path or database.url,
                server or "public",
                " (demo)" if demo else "",
            )
            stopped_by = _run(
                app,
                listener,
                runner,
                on_listening=lambda: log.info(
                    "StockDesk 接口已在 %s 上运行（文档 %s/docs%s；按 Ctrl+C 停止）",
                    url,
                    url,
                    "；每个请求须带访问令牌" if token else "",
                ),
            )
        finally:
            left = runner.shutdown(wait=SHUTDOWN_WAIT)
            for job_id in left:
                log.error(
                    "job %s did not stop within %.0f s; it will be marked interrupted",
                    job_id,
                    SHUTDOWN_WAIT,
                )
            database.close()
    log.info(
        "StockDesk 接口已停止%s", f"（{signal.Signals(stopped_by).name}）" if stopped_by else ""
    )
    return EXIT_OK


@contextlib.contextmanager
def _baostock_server(server: str | None, *, demo: bool) -> Iterator[str | None]:
    """The server the jobs use, as for ``stockdesk collect``: the simulator when ``--demo``
    (running as long as the API does), else ``--server`` or the environment's."""
    if not demo:
        address = config.server_address(server)
        if address:
            parse_server(address)
        yield address
        return
    from stockdesk.simulator.demo import start_demo_server  # numpy only for the demo

    simulator = start_demo_server()
    try:
        yield simulator.address
    finally:
        simulator.stop()


def _log_to(stderr: TextIO | None) -> None:
    """The server's own lines to stderr as well (a terminal, or a service's journal); the
    log file gets them and uvicorn's, its access log included. (The windowed Windows
    program, run at logon by Task Scheduler, has no stderr: the file alone then.)"""
    logs.log_to_file("uvicorn.error", "uvicorn.access")
    if stderr is None:
        return
    console = logging.StreamHandler(stderr)
    console.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    server_log = logging.getLogger("stockdesk.server")
    server_log.addHandler(console)
    server_log.setLevel(logging.INFO)  # even when the log file could not be opened
    uvicorn_errors = logging.StreamHandler(stderr)
    uvicorn_errors.setLevel(logging.WARNING)
    logging.getLogger("uvicorn.error").addHandler(uvicorn_errors)


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a taken port is a plain message (and the
    port of ``--port 0`` is known before uvicorn starts)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        if sys.platform != "win32":  # on Windows it would let another program take the port
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host.strip("[]"), port))
    except OSError as error:
        listener.close()
        raise InputError(f"无法在 {host}:{port} 上监听：{error.strerror or error}") from None
    return listener


def _url(host: str, port: int) -> str:
    return f"http://[{host.strip('[]')}]:{port}" if ":" in host else f"http://{host}:{port}"


class _Server(uvicorn.Server):
    """uvicorn's server, which also cancels the jobs the moment it is asked to stop (not
    after the open requests end) and says when it listens."""

    def __init__(
        self, config: uvicorn.Config, runner: JobRunner, on_listening: Callable[[], None]
    ) -> None:
        super().__init__(config)
        self._runner = runner
        self._on_listening = on_listening

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        self._runner.cancel_all()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._on_listening()


def _run(
    app: FastAPI, listener: socket.socket, runner: JobRunner, on_listening: Callable[[], None]
) -> int | None:
    """Serve on ``listener`` until SIGINT or SIGTERM; return the signal, if one stopped it.

    uvicorn raises the signal again once it has stopped, with the handlers it found; ours
    only note it, so the process ends by returning (exit 0, the job already cancelled)
    instead of by KeyboardInterrupt or SIGTERM's default.
    """
    caught: list[int] = []

    def note(signum: int, _frame: FrameType | None) -> None:
        caught.append(signum)
        runner.cancel_all()

    previous = {sig: signal.signal(sig, note) for sig in (signal.SIGINT, signal.SIGTERM)}
    settings = uvicorn.Config(
        app,
        http=H11Protocol,
        ws="none",
        loop="asyncio",
        lifespan="off",
        log_config=None,
        access_log=True,
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
    try:
        _Server(settings, runner, on_listening).run(sockets=[listener])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        listener.close()
    return caught[0] if caught else None
