"""The ``stockdesk`` command line: exit codes, messages, JSON, progress and Ctrl+C."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import signal
import subprocess
import sys
import threading

import pytest

from stockdesk import cli
from stockdesk.collect.collector import Collector
from stockdesk.collect.listener import JobListener
from stockdesk.collect.options import CollectOptions
from stockdesk.db.database import open_database
from stockdesk.db.joblog import JobLog
from stockdesk.domain.taskid import TASK_ID_PATTERN
from stockdesk.domain.values import JobRequest
from stockdesk.simulator import FaultKind

START, END = "2024-01-01", "2024-03-31"


@pytest.fixture
def db_file(database_target):
    """The test's ``--db``: a SQLite file path, or a PostgreSQL URL (see tests/conftest.py)."""
    return database_target


def run_cli(*argv):
    """Run one command in-process; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(cli.build_parser().parse_args(list(argv)), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def listed_codes(market, count):
    start = dt.date.fromisoformat(START)
    return [s.code for s in market.stocks() if s.status == "1" and s.ipo_date < start][:count]


def test_collect_json_is_one_object_with_the_job_fields(simulator, db_file):
    codes = ",".join(listed_codes(simulator.market, 3))
    code, out, err = run_cli(
        "collect",
        "--start",
        START,
        "--end",
        END,
        "--codes",
        codes,
        "--json",
        "--db",
        db_file,
        "--server",
        simulator.address,
    )
    assert code == 0, err
    job = json.loads(out)
    assert TASK_ID_PATTERN.match(job["id"]) and job["id"] in err
    assert (job["status"], job["success_count"], job["failed_count"]) == ("completed", 3, 0)
    for field in (
        "progress",
        "total_stocks",
        "processed_stocks",
        "collected_count",
        "skipped_count",
        "start_time",
        "end_time",
        "error_message",
        "failed_details",
    ):
        assert field in job


def test_failed_stocks_give_exit_1_and_jobs_show_lists_their_reasons(simulator, db_file):
    codes = listed_codes(simulator.market, 3)
    simulator.faults.add(
        FaultKind.ERROR,
        method="query_history_k_data_plus",
        code=codes[2],
        error_code="10004011",
        times=None,
    )
    code, out, _ = run_cli(
        "collect",
        "--start",
        START,
        "--end",
        END,
        "--codes",
        ",".join(codes),
        "--json",
        "--db",
        db_file,
        "--server",
        simulator.address,
    )
    assert code == 1
    job_id = json.loads(out)["id"]
    code, out, _ = run_cli("jobs", "show", job_id, "--json", "--db", db_file)
    shown = json.loads(out)
    assert code == 0 and shown["failed_count"] == 1
    assert shown["failed_details"][0]["code"] == codes[2]
    assert "无效的证券代码" in shown["failed_details"][0]["error_message"]
    code, out, _ = run_cli("jobs", "list", "--db", db_file)
    assert job_id in out and " 100% 3/3 " in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--start", "2024/01/01", "--end", END], "日期格式错误，请使用 YYYY-MM-DD 格式"),
        (["--start", END, "--end", START], "晚于结束日期"),
        (["--start", START, "--end", END, "--codes", "60000x"], "股票代码格式错误：60000x"),
        (["--start", START, "--end", END, "--codes", "sh.699999"], "sh.699999"),
        (["--resume", "historical_collection_20240101_000000_1"], "没有找到任务"),
        (["--start", START], "--end"),
        (["--start", START, "--end", END, "--frequency", "120"], "K 线周期错误：120"),
        (
            ["--start", START, "--end", END, "--frequency", "5", "--universe", "index"],
            "指数没有分钟线",
        ),
        (
            ["--start", START, "--end", END, "--frequency", "15", "--codes", "sh.000300"],
            "sh.000300",
        ),
        (["--start", "1999-07-23", "--end", END, "--frequency", "60"], "分钟线数据从 1999-07-26"),
    ],
)
def test_bad_input_exits_2_naming_the_problem(simulator, db_file, argv, message):
    code, _, err = run_cli("collect", *argv, "--db", db_file, "--server", simulator.address)
    assert code == 2
    assert message in err
    if "--frequency" in argv:
        assert not simulator.requests, "refused before any request"


def test_an_unwritable_database_path_is_a_clear_error(tmp_path, simulator):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    code, _, err = run_cli("jobs", "list", "--db", str(blocker / "sub" / "x.db"))
    assert code == 2 and str(blocker) in err


def test_an_unreachable_server_fails_the_job_and_names_it(db_file):
    code, out, _ = run_cli(
        "collect",
        "--start",
        START,
        "--end",
        END,
        "--json",
        "--db",
        db_file,
        "--server",
        "127.0.0.1:9",
        "--timeout",
        "0.5",
    )
    job = json.loads(out)
    assert code == 1 and job["status"] == "failed" and "127.0.0.1:9" in job["error_message"]


class _GoesAwayAfterThePlan(io.StringIO):
    """A stderr that takes the server away when the job has planned (``共 N 只股票``)."""

    def __init__(self, server):
        super().__init__()
        self.server = server

    def write(self, text):
        if text.startswith("共 "):
            self.server.pause()
        return super().write(text)


def test_outage_timeout_bounds_the_wait_for_a_server_gone_mid_job(simulator, db_file):
    out, err = io.StringIO(), _GoesAwayAfterThePlan(simulator)
    argv = [
        "collect",
        "--start",
        START,
        "--end",
        END,
        "--codes",
        ",".join(listed_codes(simulator.market, 3)),
        "--json",
        "--db",
        db_file,
        "--server",
        simulator.address,
        "--timeout",
        "0.5",
        "--outage-timeout",
        "0.5",
    ]
    try:
        code = cli.run(cli.build_parser().parse_args(argv), stdout=out, stderr=err)
    finally:
        simulator.resume()
    job = json.loads(out.getvalue())
    assert code == 1 and job["status"] == "failed"
    assert simulator.address in job["error_message"] and "中断超过" in job["error_message"]
    assert f"服务器 {simulator.address} 暂时无法连接" in err.getvalue()


def test_a_second_collect_while_a_job_runs_exits_3(simulator, db_file, caplog):
    database = open_database(db_file)
    holding, release = threading.Event(), threading.Event()

    class Hold(JobListener):
        def plan_ready(self, job):
            holding.set()
            release.wait(10)

    request = JobRequest(
        dt.date(2024, 1, 1),
        dt.date(2024, 1, 31),
        universe="codes",
        codes=tuple(listed_codes(simulator.market, 1)),
    )
    runner = threading.Thread(
        target=Collector(database, CollectOptions(server=simulator.address)).run,
        args=(request,),
        kwargs={"listener": Hold()},
    )
    runner.start()
    try:
        assert holding.wait(10)
        code, _, err = run_cli(
            "collect",
            "--start",
            START,
            "--end",
            END,
            "--db",
            db_file,
            "--server",
            simulator.address,
        )
        with caplog.at_level(logging.WARNING, logger="stockdesk.cli"):
            update_code, _, update_err = run_cli(
                "update", "--db", db_file, "--server", simulator.address
            )
    finally:
        release.set()
        runner.join(10)
        database.close()
    assert code == 3
    assert "已有采集任务正在运行，请等待完成后再启动新任务" in err
    # A scheduled update finds the job running: exit 3, and the log file says so.
    assert update_code == 3 and "已有采集任务正在运行" in update_err
    assert any(
        "已有采集任务正在运行" in record.getMessage() and "update" in record.getMessage()
        for record in caplog.records
    )


def test_ctrl_c_cancels_cleanly_and_keeps_committed_stocks(simulator, db_file):
    """A real process and a real SIGINT: the job must end as ``cancelled``."""
    simulator.faults.latency = 0.1
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stockdesk",
            "collect",
            "--start",
            START,
            "--end",
            END,
            "--db",
            db_file,
            "--server",
            simulator.address,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        for line in process.stderr:  # plain lines: stderr is a pipe, not a terminal
            if line.startswith("共 "):
                break
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 1, err
    database = open_database(db_file)
    try:
        job = JobLog(database).list_jobs()[0]
    finally:
        database.close()
    assert job.status == "cancelled"
    assert job.processed_stocks < job.total_stocks


def test_demo_collects_the_demo_market(db_file):
    """``--demo`` starts the simulator itself; no server option is needed."""
    argv = [
        "collect",
        "--demo",
        "--start",
        "2024-01-01",
        "--end",
        "2024-01-31",
        "--universe",
        "sz50",
        "--json",
        "--db",
        db_file,
    ]
    code, out, err = run_cli(*argv)
    assert code == 0, err
    assert json.loads(out)["success_count"] > 0
    code, out, err = run_cli(*argv)  # again: every stock skipped, nothing stored twice
    assert code == 0, err
    again = json.loads(out)
    assert again["skipped_count"] == again["total_stocks"] > 0
    assert again["collected_count"] == 0


@pytest.mark.postgresql_only
@pytest.mark.parametrize("trouble", ["wrong password", "unreachable", "no database"])
def test_server_troubles_exit_2_naming_server_and_database_with_the_password_masked(
    db_file, postgres_server, trouble
):
    from support.postgres import PASSWORD_ROLE, free_port

    server = postgres_server
    name = db_file.rsplit("/", 1)[1]
    url = {
        "wrong password": server.url(name, user=PASSWORD_ROLE, password="Wr0ng-pass"),
        "unreachable": f"postgresql://analyst:Wr0ng-pass@127.0.0.1:{free_port()}/{name}",
        "no database": server.url("missing_db", user="postgres", password="Wr0ng-pass"),
    }[trouble]
    code, out, err = run_cli("jobs", "list", "--db", url)
    assert code == 2 and out == ""
    assert {
        "wrong password": "用户名或密码错误",
        "unreachable": "无法连接",
        "no database": "没有数据库 missing_db",
    }[trouble] in err
    assert "127.0.0.1:" in err and ("missing_db" if trouble == "no database" else name) in err
    assert "Wr0ng-pass" not in err and "***" in err


def test_the_demo_collects_ten_years_of_its_oldest_stocks_complete(db_file):
    from stockdesk.simulator.demo import DEMO_STOCKS
    from stockdesk.simulator.market import Market

    start = dt.date(2015, 1, 1)
    oldest = [
        s.code
        for s in Market(stocks=DEMO_STOCKS).stocks()
        if s.status == "1" and s.ipo_date < start
    ][:8]
    code, out, err = run_cli(
        "collect",
        "--demo",
        "--start",
        "2015-01-01",
        "--end",
        "2024-12-31",
        "--codes",
        ",".join(oldest),
        "--json",
        "--db",
        db_file,
    )
    assert code == 0, err
    job = json.loads(out)
    assert (job["status"], job["success_count"], job["failed_count"]) == ("completed", 8, 0)
    assert job["collected_count"] > 8 * 2_000  # ~2,430 trading days each


def test_update_of_an_empty_database_points_to_collect(simulator, db_file):
    code, out, err = run_cli("update", "--db", db_file, "--server", simulator.address)
    assert code == 2 and "collect" in err and out == ""


def test_update_after_collect_says_the_database_is_current(simulator, db_file):
    codes = ",".join(listed_codes(simulator.market, 2))
    assert (
        run_cli(
            "collect",
            "--start",
            START,
            "--end",
            END,
            "--codes",
            codes,
            "--db",
            db_file,
            "--server",
            simulator.address,
        )[0]
        == 0
    )
    code, out, err = run_cli("update", "--json", "--db", db_file, "--server", simulator.address)
    job = json.loads(out)
    assert code == 0, err
    assert job["universe"] == "update" and job["status"] == "completed"
    assert job["failed_count"] == 0 and job["success_count"] >= 2  # and listings since
    code, out, err = run_cli("update", "--json", "--db", db_file, "--server", simulator.address)
    assert code == 0 and "已是最新" in err and json.loads(out)["success_count"] == 0


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_on_a_terminal_is_a_tqdm_bar_and_messages_stay_whole():
    from stockdesk.domain.values import Progress

    stream = _Terminal()
    reporter = cli.ProgressReporter(stream)
    reporter.progress(Progress("job", 10, 3, 3, 0, 0, 300, 1.5))
    reporter.message("服务器消息")
    reporter.progress(Progress("job", 10, 10, 9, 1, 0, 900, 3.0))
    reporter.close()
    text = stream.getvalue()
    assert "30%" in text and "100%" in text and "成功 9" in text
    assert "\n服务器消息\n" in text.replace("\r", "\n")
