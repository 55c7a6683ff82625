"""The entry every system shares: the time, and the command line the scheduler runs."""

from __future__ import annotations

import datetime as dt
import shlex
import subprocess
from pathlib import Path

import pytest

from stockdesk.domain.errors import InputError
from stockdesk.schedule.entry import (
    TIME_FORMAT_MESSAGE,
    ScheduleEntry,
    absolute_database,
    parse_time,
    program,
    update_command,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18:30", dt.time(18, 30)),
        ("00:00", dt.time(0, 0)),
        ("7:05", dt.time(7, 5)),
        ("23:59", dt.time(23, 59)),
        (" 09:15 ", dt.time(9, 15)),
    ],
)
def test_times_that_parse(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "25:00",
        "24:00",
        "7.30",
        "18:60",
        "1830",
        "18:3",
        "",
        "18:30:00",
        "ab:cd",
        "-1:30",
        "１８:３０",
    ],
)
def test_bad_times_name_the_format(text):
    with pytest.raises(InputError) as raised:
        parse_time(text)
    assert str(raised.value) == TIME_FORMAT_MESSAGE
    assert raised.value.exit_code == 2


def test_program_from_source_runs_the_package():
    assert program(frozen=False, executable="/opt/py/bin/python3") == (
        "/opt/py/bin/python3",
        "-m",
        "stockdesk",
    )


def test_a_frozen_bundle_runs_itself_but_on_windows_its_console_twin():
    assert program(frozen=True, executable="/opt/StockDesk/stockdesk", platform="linux") == (
        "/opt/StockDesk/stockdesk",
    )
    assert program(
        frozen=True,
        executable="/Applications/StockDesk.app/Contents/MacOS/stockdesk",
        platform="darwin",
    ) == ("/Applications/StockDesk.app/Contents/MacOS/stockdesk",)
    assert program(
        frozen=True, executable=r"C:\Program Files\StockDesk\stockdesk.exe", platform="win32"
    ) == (r"C:\Program Files\StockDesk\stockdesk-cli.exe",)


def test_update_command_passes_the_users_database_and_server_before_the_command():
    start = ("/usr/bin/python3", "-m", "stockdesk")
    assert update_command(start) == (*start, "--scheduled", "update")
    assert update_command(start, database="/data/a.db", server="10.0.0.2:10030") == (
        *start,
        "--db",
        "/data/a.db",
        "--server",
        "10.0.0.2:10030",
        "--scheduled",
        "update",
    )


def test_relative_databases_become_absolute(tmp_path):
    assert absolute_database("my.db", tmp_path) == str(tmp_path / "my.db")
    assert absolute_database("/x/my.db", tmp_path) == "/x/my.db"
    assert absolute_database("~/my.db", tmp_path) == str(Path.home() / "my.db")
    assert absolute_database("sqlite:///rel.db", tmp_path) == f"sqlite:///{tmp_path}/rel.db"
    assert (
        absolute_database("sqlite:///rel.db?timeout=5", tmp_path)
        == f"sqlite:///{tmp_path}/rel.db?timeout=5"
    )
    assert absolute_database("sqlite:////abs/x.db", tmp_path) == "sqlite:////abs/x.db"
    assert absolute_database("sqlite:///:memory:", tmp_path) == "sqlite:///:memory:"
    assert absolute_database("postgresql://u@h/db", tmp_path) == "postgresql://u@h/db"


def test_command_line_is_quoted_for_each_system():
    entry = ScheduleEntry(
        dt.time(18, 30), ("/home/王 伟/py", "-m", "stockdesk", "--db", "/data/my db.db", "update")
    )
    assert shlex.split(entry.command_line("linux")) == list(entry.command)
    assert entry.clock == "18:30"
    windows = ScheduleEntry(
        dt.time(6, 5),
        (r"C:\Program Files\StockDesk\stockdesk-cli.exe", "--db", r"D:\my data\a.db", "update"),
    )
    assert windows.command_line("win32") == (
        r'"C:\Program Files\StockDesk\stockdesk-cli.exe" --db "D:\my data\a.db" update'
    )
    assert windows.clock == "06:05"
    assert subprocess.list2cmdline(windows.command) == windows.command_line("win32")


def test_an_argument_with_a_line_break_is_refused():
    with pytest.raises(InputError):
        ScheduleEntry(dt.time(1, 0), ("/bin/python", "--db", "a\nb.db"))
