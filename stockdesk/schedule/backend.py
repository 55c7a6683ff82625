"""This machine's scheduler, and the daily schedule set through it.

:func:`choose_backend` picks by ``sys.platform``: Task Scheduler on Windows, a launchd
agent on macOS, a systemd user timer on Linux when a user manager runs, else the user's
crontab. :class:`DailySchedule` is what the command line and the window use.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from stockdesk.schedule.entry import ScheduleEntry
from stockdesk.schedule.linux import (
    CrontabBackend,
    SystemdBackend,
    config_home,
    systemd_user_available,
)
from stockdesk.schedule.macos import LaunchdBackend
from stockdesk.schedule.runner import Runner, SubprocessRunner
from stockdesk.schedule.windows import TaskSchedulerBackend

log = logging.getLogger(__name__)

DESCRIPTIONS = {
    "systemd": "systemd 用户定时器",
    "crontab": "当前用户的 crontab",
    "launchd": "launchd 用户代理",
    "schtasks": "Windows 任务计划程序",
}
MISSED_RUNS = {
    "systemd": "关机时错过的运行会在下次开机或登录后补上",
    "crontab": "cron 不会补上关机时错过的运行",
    "launchd": "睡眠时错过的运行会在唤醒后补上（关机时错过的不会）",
    "schtasks": "错过的运行会在下次可以运行时（开机并登录后）尽快补上",
}
"""How each scheduler treats a run whose time passed while the computer could not run it."""


class Backend(Protocol):
    """One system's scheduler: writes, reads and deletes the daily entry."""

    @property
    def name(self) -> str:
        """``systemd``, ``crontab``, ``launchd`` or ``schtasks``."""

    @property
    def location(self) -> str:
        """Where the entry lives (a file, a task path, or how to list it)."""

    def install(self, entry: ScheduleEntry) -> None:
        """Register ``entry``, replacing StockDesk's earlier one.

        Raises:
            ScheduleError: the scheduler refused or could not be reached.
        """

    def read(self) -> ScheduleEntry | None:
        """StockDesk's entry as the system holds it, or None."""

    def remove(self) -> bool:
        """Delete StockDesk's entry; False when there was none (not an error)."""


def choose_backend(
    *,
    platform: str | None = None,
    runner: Runner | None = None,
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> Backend:
    """The scheduler for ``platform`` (default this one).

    ``env`` and ``home`` default to this process's; tests point them at a temporary
    folder. ``runner`` defaults to the real tools in ``env``.
    """
    platform = platform or sys.platform
    env = os.environ if env is None else env
    home = home or Path.home()
    runner = runner or SubprocessRunner(env)
    if platform == "win32":
        return TaskSchedulerBackend(runner)
    if platform == "darwin":
        return LaunchdBackend(runner, home / "Library" / "LaunchAgents", _uid())
    if systemd_user_available(runner, env):
        return SystemdBackend(runner, config_home(env, home) / "systemd" / "user")
    return CrontabBackend(runner)


def _uid() -> int:
    getuid = getattr(os, "getuid", None)
    return int(getuid()) if getuid is not None else 0


class DailySchedule:
    """The daily ``stockdesk update`` run with ``command``, through ``backend``.

    Without a backend, :func:`choose_backend` picks one on first use: on Linux that asks
    ``systemctl``, which the window must do off its GUI thread, so it only builds this.
    """

    def __init__(self, backend: Backend | None, command: Sequence[str]) -> None:
        self._backend = backend
        self._choosing = threading.Lock()
        self.command = tuple(command)

    @property
    def backend(self) -> Backend:
        with self._choosing:
            if self._backend is None:
                self._backend = choose_backend()
            return self._backend

    @property
    def description(self) -> str:
        """The scheduler in words, e.g. ``systemd 用户定时器``."""
        return DESCRIPTIONS.get(self.backend.name, self.backend.name)

    @property
    def missed_runs(self) -> str:
        """What happens to a run missed while the computer was off or asleep."""
        return MISSED_RUNS.get(self.backend.name, "")

    def set(self, time: dt.time) -> ScheduleEntry:
        """Run the update every day at ``time`` (replacing an earlier time)."""
        entry = ScheduleEntry(time.replace(second=0, microsecond=0), self.command)
        self.backend.install(entry)
        log.info(
            "daily update set for %s with %s: %s",
            entry.clock,
            self.backend.name,
            entry.command_line(),
        )
        return entry

    def read(self) -> ScheduleEntry | None:
        """The entry the system holds, or None when no daily update is set."""
        return self.backend.read()

    def remove(self) -> bool:
        """Stop the daily update; False when none was set."""
        removed = self.backend.remove()
        if removed:
            log.info("daily update removed from %s", self.backend.name)
        return removed
