"""macOS: the launchd agent's property list and the launchctl calls.

What is real: the plist is written to a temporary ~/Library/LaunchAgents and read back
with plistlib. What is mocked: ``launchctl`` (this is Linux).
"""

from __future__ import annotations

import datetime as dt
import plistlib

import pytest
from schedule_fakes import FakeRunner, failing

from stockdesk.schedule.entry import ScheduleEntry, ScheduleError
from stockdesk.schedule.macos import LABEL, LaunchdBackend, agent_plist, parse_plist

APP = "/Applications/Stock Desk.app/Contents/MacOS/stockdesk"
COMMAND = (APP, "--db", "/Users/王伟/数据/a b.db", "--scheduled", "update")


@pytest.fixture
def agents(tmp_path):
    return tmp_path / "home" / "Library" / "LaunchAgents"


def test_plist_is_a_daily_calendar_job():
    entry = ScheduleEntry(dt.time(18, 30), COMMAND)
    agent = plistlib.loads(agent_plist(entry))
    assert agent["Label"] == LABEL
    assert agent["ProgramArguments"] == list(COMMAND)
    assert agent["StartCalendarInterval"] == {"Hour": 18, "Minute": 30}
    assert agent["RunAtLoad"] is False
    assert parse_plist(agent_plist(entry)) == entry
    assert parse_plist(b"garbage") is None
    assert parse_plist(plistlib.dumps({"Label": LABEL})) is None


def test_install_bootstraps_into_the_gui_domain(agents):
    runner = FakeRunner(
        lambda argv, _: (
            failing(argv, "No such process") if argv[1] in {"bootout", "unload"} else None
        )
    )  # mocked launchctl
    backend = LaunchdBackend(runner, agents, uid=501)
    entry = ScheduleEntry(dt.time(7, 5), COMMAND)
    backend.install(entry)
    plist = agents / f"{LABEL}.plist"
    assert runner.calls[-1] == ("launchctl", "bootstrap", "gui/501", str(plist))
    assert ("launchctl", "bootout", f"gui/501/{LABEL}") in runner.calls
    assert backend.read() == entry
    assert backend.location == str(plist)


def test_install_falls_back_to_launchctl_load(agents):
    runner = FakeRunner(
        lambda argv, _: (
            failing(argv, "Unrecognized subcommand")
            if argv[1] in {"bootstrap", "bootout"}
            else None
        )
    )
    backend = LaunchdBackend(runner, agents, uid=501)
    backend.install(ScheduleEntry(dt.time(7, 5), COMMAND))
    assert runner.calls[-1] == ("launchctl", "load", "-w", str(agents / f"{LABEL}.plist"))


def test_install_that_launchctl_refuses_leaves_no_agent(agents):
    runner = FakeRunner(lambda argv, _: failing(argv, "Load failed: 5: Input/output error"))
    backend = LaunchdBackend(runner, agents, uid=501)
    with pytest.raises(ScheduleError, match="Input/output error"):
        backend.install(ScheduleEntry(dt.time(7, 5), COMMAND))
    assert backend.read() is None and list(agents.iterdir()) == []


def test_remove_boots_the_agent_out_and_deletes_it(agents):
    runner = FakeRunner()
    backend = LaunchdBackend(runner, agents, uid=501)
    assert backend.remove() is False and runner.calls == []
    backend.install(ScheduleEntry(dt.time(7, 5), COMMAND))
    runner.calls.clear()
    assert backend.remove() is True
    assert runner.calls == [("launchctl", "bootout", f"gui/501/{LABEL}")]
    assert backend.read() is None
