"""``stockdesk schedule set|show|remove`` and ``--scheduled``, through the command line.

On this machine no systemd user manager runs, so the command line picks the crontab, and
these tests edit the real one (saved and put back by the ``crontab`` fixture). One test
shows the systemd wording with systemctl stood in for.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from schedule_fakes import FakeRunner, current_crontab, failing, needs_crontab

import stockdesk
from stockdesk import cli, logs
from stockdesk.__main__ import main
from stockdesk.schedule import lastrun
from stockdesk.schedule.entry import TIME_FORMAT_MESSAGE, ScheduleEntry
from stockdesk.schedule.linux import CRON_MARKER, CrontabBackend, SystemdBackend

PROGRAM = (sys.executable, "-m", "stockdesk")


@pytest.fixture
def home(tmp_path, monkeypatch):
    """The user's folders in the test's own; no systemd user manager (as in this
    container), whatever the machine running the tests has."""
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    for name in ("XDG_RUNTIME_DIR", "STOCKDESK_DB", "STOCKDESK_SERVER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    logs.stop_logging()
    yield tmp_path
    logs.stop_logging()


def run_cli(*argv):
    """One command in-process; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(cli.build_parser().parse_args(list(argv)), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def ours():
    return [line for line in current_crontab() if line.endswith(CRON_MARKER)]


@needs_crontab
@pytest.mark.parametrize("time", ["25:00", "7.30", "18:60", "now"])
def test_a_bad_time_is_exit_2_with_the_format(home, crontab, time):
    code, out, err = run_cli("schedule", "set", time)
    assert (code, out, err.strip()) == (2, "", TIME_FORMAT_MESSAGE)
    assert ours() == []


@needs_crontab
def test_the_program_itself_refuses_a_bad_time(home, crontab):
    source = str(Path(stockdesk.__file__).parent.parent)  # this checkout, not another one
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [*PROGRAM, "schedule", "set", "25:00"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert done.returncode == 2 and TIME_FORMAT_MESSAGE in done.stderr
    assert ours() == []


@needs_crontab
def test_set_show_remove_with_the_users_database_and_server(home, crontab):
    code, out, _ = run_cli("schedule", "show")
    assert code == 0 and "尚未设置每日更新" in out

    code, out, err = run_cli(
        "schedule", "set", "18:30", "--db", "my data.db", "--server", "10.0.0.2:10030", "--json"
    )
    assert code == 0, err
    shown = json.loads(out)
    command = [
        *PROGRAM,
        "--db",
        str(home / "my data.db"),
        "--server",
        "10.0.0.2:10030",
        "--scheduled",
        "update",
    ]
    assert shown == {
        "scheduled": True,
        "time": "18:30",
        "command": command,
        "command_line": ScheduleEntry(dt.time(18, 30), tuple(command)).command_line(),
        "backend": "crontab",
        "location": "crontab -l",
        "missed_runs": "cron 不会补上关机时错过的运行",
    }
    assert len(ours()) == 1 and ours()[0].startswith("30 18 * * * ")

    code, out, _ = run_cli("schedule", "show", "--json")
    assert code == 0 and json.loads(out) == shown
    code, out, _ = run_cli("schedule", "show")
    assert code == 0 and "每天 18:30 运行" in out and "crontab" in out
    assert f"'{home / 'my data.db'}'" in out  # quoted as a shell would need it

    code, out, _ = run_cli("schedule", "remove")
    assert code == 0 and "已取消每日更新" in out
    assert ours() == []
    code, out, _ = run_cli("schedule", "remove")  # nothing scheduled is not an error
    assert code == 0 and "尚未设置每日更新，无需取消" in out
    code, out, _ = run_cli("schedule", "remove", "--json")
    assert code == 0 and json.loads(out)["removed"] is False
    code, out, _ = run_cli("schedule", "show", "--json")
    assert code == 0 and json.loads(out) == {
        "scheduled": False,
        "backend": "crontab",
        "location": "crontab -l",
    }


@needs_crontab
def test_global_options_before_the_command_and_from_the_environment(home, crontab, monkeypatch):
    code, out, _ = run_cli("--db", "/data/a.db", "schedule", "set", "6:05", "--json")
    assert code == 0
    assert json.loads(out)["command"] == [*PROGRAM, "--db", "/data/a.db", "--scheduled", "update"]
    monkeypatch.setenv("STOCKDESK_DB", "env.db")
    monkeypatch.setenv("STOCKDESK_SERVER", "127.0.0.1:10030")
    code, out, _ = run_cli("schedule", "set", "06:10", "--json")
    assert code == 0
    assert json.loads(out)["command"] == [
        *PROGRAM,
        "--db",
        str(home / "env.db"),
        "--server",
        "127.0.0.1:10030",
        "--scheduled",
        "update",
    ]
    assert len(ours()) == 1 and ours()[0].startswith("10 6 * * * ")


@needs_crontab
def test_demo_and_a_bad_server_are_refused(home, crontab):
    code, _, err = run_cli("schedule", "set", "18:30", "--demo")
    assert code == 2 and "--demo" in err
    code, _, err = run_cli("schedule", "set", "18:30", "--server", "nowhere")
    assert code == 2 and "服务器地址格式错误" in err
    assert ours() == []


def test_a_scheduler_that_refuses_is_exit_1_with_its_words(home, monkeypatch):
    runner = FakeRunner(lambda argv, _: failing(argv, "You are not allowed to use crontab"))
    monkeypatch.setattr(cli, "choose_backend", lambda: CrontabBackend(runner))
    code, _, err = run_cli("schedule", "set", "18:30")
    assert code == 1 and "not allowed" in err


def test_systemd_wording(home, monkeypatch):
    unit_dir = home / "units"
    # systemctl --user stood in for: no user manager runs here.
    monkeypatch.setattr(cli, "choose_backend", lambda: SystemdBackend(FakeRunner(), unit_dir))
    code, out, _ = run_cli("schedule", "set", "18:30")
    assert code == 0
    assert "systemd 用户定时器" in out and str(unit_dir / "stockdesk-update.timer") in out
    assert "下次开机或登录后补上" in out


def test_scheduled_is_a_global_flag_that_changes_nothing_else():
    parser = cli.build_parser()
    before = parser.parse_args(["--scheduled", "jobs", "list"])
    after = parser.parse_args(["jobs", "list", "--scheduled"])
    plain = parser.parse_args(["jobs", "list"])
    assert before.scheduled is True and after.scheduled is True
    assert not hasattr(plain, "scheduled")
    assert {**vars(before), "scheduled": None} == {**vars(after), "scheduled": None}


def test_a_scheduled_run_leaves_a_note_for_the_window(home):
    assert main(["--db", "notes.db", "--scheduled", "jobs", "list"]) == 0
    note = lastrun.load(home / "xdg_data_home" / "StockDesk" / "last-scheduled-run.json")
    assert note is not None and note.database == str(home / "notes.db")
    assert note.finished is not None and note.started <= note.finished
    log_text = (home / "xdg_state_home" / "StockDesk" / "log" / "stockdesk.log").read_text()
    assert "started by the daily schedule" in log_text


def test_an_unscheduled_run_leaves_none(home):
    assert main(["--db", "notes.db", "jobs", "list"]) == 0
    assert not (home / "xdg_data_home" / "StockDesk" / "last-scheduled-run.json").exists()
