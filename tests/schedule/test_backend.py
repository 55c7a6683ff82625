"""Choosing the scheduler by system, and the daily schedule on top of it."""

from __future__ import annotations

import datetime as dt

import pytest
from schedule_fakes import FakeRunner

from stockdesk.schedule.backend import DESCRIPTIONS, MISSED_RUNS, DailySchedule, choose_backend
from stockdesk.schedule.entry import ScheduleEntry
from stockdesk.schedule.linux import CrontabBackend, SystemdBackend
from stockdesk.schedule.macos import LaunchdBackend
from stockdesk.schedule.runner import CommandResult
from stockdesk.schedule.windows import TaskSchedulerBackend


def test_each_system_gets_its_own_scheduler(tmp_path):
    runner = FakeRunner()
    assert isinstance(choose_backend(platform="win32", runner=runner, env={}), TaskSchedulerBackend)
    mac = choose_backend(platform="darwin", runner=runner, env={}, home=tmp_path)
    assert isinstance(mac, LaunchdBackend)
    assert mac.location.startswith(str(tmp_path / "Library" / "LaunchAgents"))
    assert runner.calls == []


def test_linux_uses_systemd_when_a_user_manager_runs(tmp_path):
    runner = FakeRunner(lambda argv, _: CommandResult(argv, 1, "degraded\n"))
    env = {"XDG_RUNTIME_DIR": "/run/user/1000", "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    backend = choose_backend(platform="linux", runner=runner, env=env, home=tmp_path)
    assert isinstance(backend, SystemdBackend)
    assert backend.unit_dir == tmp_path / "cfg" / "systemd" / "user"


@pytest.mark.parametrize("env", [{}, {"XDG_RUNTIME_DIR": "/run/user/1000"}])
def test_linux_falls_back_to_crontab(tmp_path, env):
    runner = FakeRunner(lambda argv, _: CommandResult(argv, 1, "offline\n"))
    assert isinstance(
        choose_backend(platform="linux", runner=runner, env=env, home=tmp_path), CrontabBackend
    )


def test_every_scheduler_is_described_with_its_missed_runs():
    assert set(DESCRIPTIONS) == set(MISSED_RUNS) == {"systemd", "crontab", "launchd", "schtasks"}


class MemoryBackend:
    name = "systemd"
    location = "memory"

    def __init__(self):
        self.entry = None

    def install(self, entry):
        self.entry = entry

    def read(self):
        return self.entry

    def remove(self):
        removed, self.entry = self.entry is not None, None
        return removed


def test_daily_schedule_sets_reads_and_removes():
    command = ("/usr/bin/python3", "-m", "stockdesk", "--scheduled", "update")
    schedule = DailySchedule(MemoryBackend(), command)
    assert schedule.read() is None and schedule.remove() is False
    entry = schedule.set(dt.time(18, 30, 15))
    assert entry == ScheduleEntry(dt.time(18, 30), command)
    assert schedule.read() == entry
    assert schedule.description == "systemd 用户定时器"
    assert "补上" in schedule.missed_runs
    assert schedule.remove() is True and schedule.read() is None


def test_without_a_backend_the_schedule_chooses_one_on_first_use(monkeypatch):
    chosen = []
    monkeypatch.setattr(
        "stockdesk.schedule.backend.choose_backend", lambda: chosen.append(1) or MemoryBackend()
    )
    schedule = DailySchedule(None, ("/usr/bin/python3", "update"))
    assert chosen == []  # building it asks the system nothing (the window builds it)
    assert schedule.read() is None and schedule.backend.name == "systemd"
    schedule.set(dt.time(1, 0))
    assert chosen == [1]
