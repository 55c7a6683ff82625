"""Linux: the systemd user timer's unit files and the crontab line.

What is real here: the unit files are written to a temporary XDG_CONFIG_HOME and checked
by this machine's ``systemd-analyze`` (``verify`` parses them as the user manager would,
including whether ExecStart's program exists; ``calendar`` parses OnCalendar). The
crontab tests run the real ``crontab -l`` / ``crontab -`` on the user's own crontab,
saved first and put back after each test (crontab has no option for another file).

What is mocked: ``systemctl --user``. No user manager runs in this environment (no
XDG_RUNTIME_DIR, ``is-system-running`` says ``offline``), so ``daemon-reload`` and
``enable --now`` cannot be exercised; the tests check that they are called, in order.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from schedule_fakes import FakeRunner, current_crontab, failing, needs_crontab

from stockdesk.schedule.entry import ScheduleEntry, ScheduleError
from stockdesk.schedule.linux import (
    CRON_MARKER,
    CrontabBackend,
    SystemdBackend,
    config_home,
    cron_line,
    parse_cron_line,
    systemd_quote,
    systemd_split,
    systemd_user_available,
)
from stockdesk.schedule.runner import CommandResult, SubprocessRunner

COMMAND = (
    sys.executable,
    "-m",
    "stockdesk",
    "--db",
    "/data/股票 库/a%b$c.db",
    "--scheduled",
    "update",
)
needs_systemd_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
)


def systemd_analyze(*args, runtime_dir):
    """Run the real systemd-analyze for the user manager's view, with a runtime folder of
    its own (it refuses to start without one)."""
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime_dir), "LC_ALL": "C"}
    return subprocess.run(
        ["systemd-analyze", "--user", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )


@pytest.fixture
def runtime_dir(tmp_path):
    path = tmp_path / "run"
    path.mkdir(mode=0o700)
    return path


@pytest.fixture
def unit_dir(tmp_path):
    return (
        config_home({"XDG_CONFIG_HOME": str(tmp_path / "config")}, tmp_path / "home")
        / "systemd"
        / "user"
    )


# -- systemd ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word",
    [
        "plain",
        "with space",
        'a"quote',
        "back\\slash",
        "50%",
        "$HOME",
        "it's",
        "semi;colon",
        "",
        "中文 路径",
    ],
)
def test_systemd_words_survive_quoting(word):
    assert systemd_split(systemd_quote(word)) == (word,)


def test_config_home_follows_xdg_and_ignores_a_relative_one(tmp_path):
    assert config_home({}, tmp_path) == tmp_path / ".config"
    assert config_home({"XDG_CONFIG_HOME": "relative"}, tmp_path) == tmp_path / ".config"
    assert config_home({"XDG_CONFIG_HOME": "/x/cfg"}, tmp_path) == Path("/x/cfg")


def test_systemd_install_writes_units_then_reloads_and_enables(unit_dir):
    runner = FakeRunner()  # systemctl --user: no user manager here (module docstring)
    backend = SystemdBackend(runner, unit_dir)
    entry = ScheduleEntry(dt.time(18, 30), COMMAND)
    backend.install(entry)
    assert runner.calls == [
        ("systemctl", "--user", "daemon-reload"),
        ("systemctl", "--user", "enable", "--now", "stockdesk-update.timer"),
    ]
    timer = (unit_dir / "stockdesk-update.timer").read_text()
    assert "OnCalendar=*-*-* 18:30:00\n" in timer and "Persistent=true\n" in timer
    assert "WantedBy=timers.target" in timer
    assert backend.read() == entry
    assert backend.location == str(unit_dir / "stockdesk-update.timer")

    backend.install(ScheduleEntry(dt.time(7, 5), COMMAND))  # a new time restarts the timer
    assert runner.calls[-1] == ("systemctl", "--user", "restart", "stockdesk-update.timer")
    assert backend.read() == ScheduleEntry(dt.time(7, 5), COMMAND)


@needs_systemd_analyze
def test_systemd_accepts_the_units_and_their_calendar(tmp_path, unit_dir, runtime_dir):
    # The program lives in a folder whose name needs quoting and escaping: verify fails
    # with "is not executable" unless systemd reads back exactly this path.
    folder = tmp_path / "Stock Desk 100%"
    folder.mkdir()
    (folder / "python").symlink_to(sys.executable)
    entry = ScheduleEntry(dt.time(6, 5), (str(folder / "python"), *COMMAND[1:]))
    SystemdBackend(FakeRunner(), unit_dir).install(entry)

    verified = systemd_analyze(
        "verify",
        str(unit_dir / "stockdesk-update.service"),
        str(unit_dir / "stockdesk-update.timer"),
        runtime_dir=runtime_dir,
    )
    assert verified.returncode == 0, verified.stderr
    assert verified.stderr.strip() == ""  # not even an unknown key or a bad specifier
    calendar = systemd_analyze("calendar", "*-*-* 06:05:00", runtime_dir=runtime_dir)
    assert calendar.returncode == 0, calendar.stderr
    assert "Normalized form: *-*-* 06:05:00" in calendar.stdout


@needs_systemd_analyze
def test_systemd_analyze_would_catch_a_missing_program(unit_dir, runtime_dir, tmp_path):
    """The check above can fail: the same units naming a program that is not there."""
    entry = ScheduleEntry(dt.time(6, 5), (str(tmp_path / "no such" / "python"), "update"))
    SystemdBackend(FakeRunner(), unit_dir).install(entry)
    verified = systemd_analyze(
        "verify", str(unit_dir / "stockdesk-update.service"), runtime_dir=runtime_dir
    )
    assert verified.returncode != 0 and "not executable" in verified.stderr


def test_systemd_install_that_systemctl_refuses_leaves_no_units(unit_dir):
    runner = FakeRunner(
        lambda argv, _: failing(argv, "Failed to connect to bus") if "enable" in argv else None
    )
    backend = SystemdBackend(runner, unit_dir)
    with pytest.raises(ScheduleError, match="Failed to connect to bus"):
        backend.install(ScheduleEntry(dt.time(18, 30), COMMAND))
    assert list(unit_dir.iterdir()) == []
    assert backend.read() is None


def test_systemd_remove_disables_and_deletes(unit_dir):
    runner = FakeRunner()
    backend = SystemdBackend(runner, unit_dir)
    assert backend.remove() is False and runner.calls == []
    backend.install(ScheduleEntry(dt.time(18, 30), COMMAND))
    wants = unit_dir / "timers.target.wants"
    wants.mkdir()
    (wants / "stockdesk-update.timer").symlink_to(unit_dir / "stockdesk-update.timer")
    assert backend.remove() is True
    assert ("systemctl", "--user", "disable", "--now", "stockdesk-update.timer") in runner.calls
    assert not any(
        path.exists() or path.is_symlink()
        for path in (
            unit_dir / "stockdesk-update.timer",
            unit_dir / "stockdesk-update.service",
            wants / "stockdesk-update.timer",
        )
    )
    assert backend.read() is None


def test_detection_needs_a_runtime_dir_and_a_working_user_manager():
    answers = {"running": 0, "degraded": 1, "offline": 1, "": 1}
    for state, code in answers.items():

        def answer(argv, _stdin, state=state, code=code):
            return CommandResult(argv, code, f"{state}\n")

        available = systemd_user_available(FakeRunner(answer), {"XDG_RUNTIME_DIR": "/run/u"})
        assert available is (state in {"running", "degraded"}), state
    runner = FakeRunner(lambda argv, _: CommandResult(argv, 0, "running\n"))
    assert systemd_user_available(runner, {}) is False and runner.calls == []


@pytest.mark.skipif(shutil.which("systemctl") is None, reason="systemctl is not installed")
def test_detection_with_the_real_systemctl_here(runtime_dir):
    """This container has systemctl but no user manager: the real answer is "offline" or
    a bus error, and the crontab is used."""
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime_dir)}
    assert systemd_user_available(SubprocessRunner(env), env) is False
    env.pop("XDG_RUNTIME_DIR")
    assert systemd_user_available(SubprocessRunner(env), env) is False


# -- crontab ----------------------------------------------------------------------------


def test_cron_line_round_trips():
    entry = ScheduleEntry(dt.time(7, 5), COMMAND)
    line = cron_line(entry)
    assert line.startswith("5 7 * * * ") and line.endswith(CRON_MARKER)
    assert "\\%" in line  # a bare % would end cron's command
    assert parse_cron_line(line) == entry
    assert parse_cron_line("5 7 * * * /bin/true") is None
    assert parse_cron_line(f"5 7 * * 1 /bin/true {CRON_MARKER}") is None


@needs_crontab
def test_crontab_install_read_replace_remove_keeps_other_lines(crontab):
    subprocess.run(["crontab", "-"], input="# mine\n0 3 * * * /bin/true\n", text=True, check=True)
    entry = ScheduleEntry(dt.time(18, 30), COMMAND)
    crontab.install(entry)
    assert crontab.read() == entry
    crontab.install(ScheduleEntry(dt.time(6, 0), COMMAND))
    lines = current_crontab()
    assert [line for line in lines if line.endswith(CRON_MARKER)] == [
        cron_line(ScheduleEntry(dt.time(6, 0), COMMAND))
    ]
    assert "0 3 * * * /bin/true" in lines and "# mine" in lines
    assert crontab.remove() is True
    assert crontab.remove() is False
    assert crontab.read() is None
    assert "0 3 * * * /bin/true" in current_crontab()


@needs_crontab
def test_crontab_with_no_crontab_at_all(crontab):
    subprocess.run(["crontab", "-r"], capture_output=True, check=False)
    assert crontab.read() is None
    assert crontab.remove() is False
    crontab.install(ScheduleEntry(dt.time(0, 0), COMMAND))
    assert crontab.read() == ScheduleEntry(dt.time(0, 0), COMMAND)


@needs_crontab
def test_crontab_command_runs_with_the_exact_arguments(crontab, tmp_path):
    """The line cron would run, run as cron runs it: ``\\%`` becomes ``%``, then
    ``/bin/sh -c``. The words arrive unchanged (spaces, quotes, %, $, Chinese)."""
    out = tmp_path / "argv.json"
    words = ["a b", "50% off", "it's", "$HOME", "股票", 'say "hi"']
    script = "import json, sys; open(sys.argv[1], 'w').write(json.dumps(sys.argv[2:]))"
    crontab.install(ScheduleEntry(dt.time(1, 2), (sys.executable, "-c", script, str(out), *words)))
    (line,) = [line for line in current_crontab() if line.endswith(CRON_MARKER)]
    command = line.split(None, 5)[5]
    assert "%" not in command.replace("\\%", "")  # no bare % for cron to turn into stdin
    subprocess.run(["/bin/sh", "-c", command.replace("\\%", "%")], check=True, timeout=60)
    assert json.loads(out.read_text()) == words


def test_crontab_errors_other_than_none_are_reported():
    runner = FakeRunner(lambda argv, _: failing(argv, "You are not allowed to use crontab"))
    with pytest.raises(ScheduleError, match="not allowed"):
        CrontabBackend(runner).read()
    empty = FakeRunner(
        lambda argv, _: (
            failing(argv, "no crontab for analyst") if argv == ("crontab", "-l") else None
        )
    )
    CrontabBackend(empty).install(ScheduleEntry(dt.time(1, 0), COMMAND))
    assert empty.stdin[-1] == cron_line(ScheduleEntry(dt.time(1, 0), COMMAND)) + "\n"
