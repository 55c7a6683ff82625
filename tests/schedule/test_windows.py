"""Windows: the Task Scheduler XML and the schtasks calls.

What is real: the XML is generated and parsed with the Task Scheduler namespace, the
command line quoting is checked against Python's own ``subprocess.list2cmdline`` (the C
runtime's rules). What is mocked: ``schtasks`` itself (this is Linux); the fake checks the
file it is handed while it exists, as schtasks would read it.
"""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import xml.etree.ElementTree as ET

import pytest
from schedule_fakes import FakeRunner, failing

from stockdesk.schedule.entry import ScheduleEntry, ScheduleError
from stockdesk.schedule.runner import CommandResult, decode
from stockdesk.schedule.windows import (
    TASK_NAME,
    TASK_NAMESPACE,
    TaskSchedulerBackend,
    next_start,
    parse_task_xml,
    task_xml,
    windows_split,
)

NS = {"t": TASK_NAMESPACE}
CLI = r"C:\Program Files\StockDesk\stockdesk-cli.exe"
COMMAND = (CLI, "--db", r"D:\行情 数据\a.db", "--server", "10.0.0.2:10030", "--scheduled", "update")
NOW = dt.datetime(2024, 6, 12, 10, 30)


def test_task_xml_is_a_daily_task_that_runs_missed_starts():
    entry = ScheduleEntry(dt.time(18, 30), COMMAND)
    text = task_xml(entry, now=NOW)
    assert text.startswith('<?xml version="1.0" encoding="UTF-16"?>')
    task = ET.fromstring(text.encode("utf-16"))
    assert task.tag == f"{{{TASK_NAMESPACE}}}Task" and task.get("version") == "1.2"
    trigger = task.find("t:Triggers/t:CalendarTrigger", NS)
    assert trigger.findtext("t:StartBoundary", namespaces=NS) == "2024-06-12T18:30:00"
    assert trigger.findtext("t:ScheduleByDay/t:DaysInterval", namespaces=NS) == "1"
    settings = task.find("t:Settings", NS)
    assert settings.findtext("t:StartWhenAvailable", namespaces=NS) == "true"
    assert settings.findtext("t:DisallowStartIfOnBatteries", namespaces=NS) == "false"
    principal = task.find("t:Principals/t:Principal", NS)
    assert principal.findtext("t:LogonType", namespaces=NS) == "InteractiveToken"
    assert principal.findtext("t:RunLevel", namespaces=NS) == "LeastPrivilege"
    execute = task.find("t:Actions/t:Exec", NS)
    assert execute.findtext("t:Command", namespaces=NS) == f'"{CLI}"'
    assert execute.findtext("t:Arguments", namespaces=NS) == (
        '--db "D:\\行情 数据\\a.db" --server 10.0.0.2:10030 --scheduled update'
    )
    assert parse_task_xml(text) == entry


def test_first_start_is_the_next_one_never_a_missed_one():
    assert next_start(dt.time(18, 30), NOW) == dt.datetime(2024, 6, 12, 18, 30)
    assert next_start(dt.time(10, 30), NOW) == dt.datetime(2024, 6, 13, 10, 30)
    assert next_start(dt.time(6, 0), NOW) == dt.datetime(2024, 6, 13, 6, 0)


def test_an_exported_task_with_a_zone_and_no_quotes_still_reads():
    text = task_xml(
        ScheduleEntry(dt.time(7, 5), (r"C:\sd\stockdesk-cli.exe", "update")), now=NOW
    ).replace("2024-06-12T07:05:00", "2024-06-13T07:05:00+08:00")
    assert parse_task_xml("\ufeff" + text) == ScheduleEntry(
        dt.time(7, 5), (r"C:\sd\stockdesk-cli.exe", "update")
    )
    assert parse_task_xml("not xml") is None
    assert parse_task_xml(f'<Task xmlns="{TASK_NAMESPACE}"/>') is None


@pytest.mark.parametrize(
    "words",
    [
        ["plain"],
        ["two words"],
        [""],
        ['quote"inside'],
        ["trailing\\"],
        ["dir with\\ \\"],
        ['back\\\\\\"slashes'],
        [r"C:\path with space\\"],
        ["a", "", "b"],
        ["中文 路径"],
    ],
)
def test_windows_split_reads_what_list2cmdline_writes(words):
    assert windows_split(subprocess.list2cmdline(words)) == words


def test_windows_split_round_trips_random_words():
    rng = random.Random(3)
    alphabet = 'ab \\"\t中'
    for _ in range(2000):
        words = [
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
            for _ in range(rng.randint(1, 4))
        ]
        assert windows_split(subprocess.list2cmdline(words)) == words, words


def test_install_hands_schtasks_a_utf16_file_and_deletes_it(tmp_path):
    handed = {}

    def schtasks(argv, _stdin):  # mocked: there is no schtasks on Linux
        if argv[1] == "/Create":
            path = argv[argv.index("/XML") + 1]
            raw = open(path, "rb").read()  # noqa: SIM115 (read while schtasks would)
            handed.update(raw=raw, path=path)
        return None

    runner = FakeRunner(schtasks)
    backend = TaskSchedulerBackend(runner, temp_dir=tmp_path, now=lambda: NOW)
    entry = ScheduleEntry(dt.time(18, 30), COMMAND)
    backend.install(entry)
    (call,) = runner.calls
    assert call[:2] == ("schtasks", "/Create") and call[-3:] == ("/TN", TASK_NAME, "/F")
    assert TASK_NAME == "StockDesk\\DailyUpdate"
    assert handed["raw"].startswith(b"\xff\xfe")  # UTF-16 with its byte-order mark
    assert parse_task_xml(handed["raw"].decode("utf-16")) == entry
    assert list(tmp_path.iterdir()) == []


def test_read_and_remove_through_schtasks_query_and_delete(tmp_path):
    entry = ScheduleEntry(dt.time(18, 30), COMMAND)
    exported = task_xml(entry, now=NOW).encode("utf-16")
    state = {"exists": True}

    def schtasks(argv, _stdin):  # mocked
        if argv[1] == "/Query":
            if not state["exists"]:
                return failing(argv, "ERROR: The system cannot find the file specified.")
            return CommandResult(argv, 0, decode(exported))
        if argv[1] == "/Delete":
            state["exists"] = False
        return None

    runner = FakeRunner(schtasks)
    backend = TaskSchedulerBackend(runner, temp_dir=tmp_path)
    assert backend.read() == entry
    assert backend.remove() is True
    assert ("schtasks", "/Delete", "/TN", TASK_NAME, "/F") in runner.calls
    assert backend.read() is None
    assert backend.remove() is False


def test_a_refused_task_is_an_error_with_schtasks_words(tmp_path):
    runner = FakeRunner(lambda argv, _: failing(argv, "ERROR: Access is denied."))
    with pytest.raises(ScheduleError, match="Access is denied"):
        TaskSchedulerBackend(runner, temp_dir=tmp_path).install(
            ScheduleEntry(dt.time(1, 0), COMMAND)
        )
    assert list(tmp_path.iterdir()) == []
