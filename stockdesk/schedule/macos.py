"""macOS: a launchd user agent, ``~/Library/LaunchAgents/com.stockdesk.daily-update.plist``.

``StartCalendarInterval`` runs it daily; a run due while the Mac sleeps runs when it wakes
(launchd's rule for calendar jobs; one that falls while the Mac is switched off is not
made up). It is loaded with ``launchctl bootstrap gui/<uid>``, or ``launchctl load`` on
systems older than macOS 10.10 that lack it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import plistlib
from pathlib import Path
from typing import Any

from stockdesk.schedule.entry import ScheduleEntry, ScheduleError
from stockdesk.schedule.runner import Runner

LABEL = "com.stockdesk.daily-update"


def agent_plist(entry: ScheduleEntry) -> bytes:
    """The agent's property list (XML) for ``entry``."""
    agent: dict[str, Any] = {
        "Label": LABEL,
        "ProgramArguments": list(entry.command),
        "StartCalendarInterval": {"Hour": entry.time.hour, "Minute": entry.time.minute},
        "RunAtLoad": False,
        "ProcessType": "Background",
    }
    return plistlib.dumps(agent, fmt=plistlib.FMT_XML)


def parse_plist(data: bytes) -> ScheduleEntry | None:
    """The entry an agent written by :func:`agent_plist` describes, or None."""
    try:
        agent = plistlib.loads(data)
    except (plistlib.InvalidFileException, ValueError):
        return None
    if not isinstance(agent, dict):
        return None
    interval, arguments = agent.get("StartCalendarInterval"), agent.get("ProgramArguments")
    if not isinstance(interval, dict) or not isinstance(arguments, list) or not arguments:
        return None
    hour, minute = interval.get("Hour"), interval.get("Minute", 0)
    if not (
        isinstance(hour, int) and isinstance(minute, int) and 0 <= hour < 24 and 0 <= minute < 60
    ):
        return None
    return ScheduleEntry(dt.time(hour, minute), tuple(str(word) for word in arguments))


class LaunchdBackend:
    """The agent in ``agents_dir`` (default ``~/Library/LaunchAgents``) for user ``uid``."""

    name = "launchd"

    def __init__(self, runner: Runner, agents_dir: Path, uid: int) -> None:
        self._run = runner
        self.agents_dir = agents_dir
        self._domain = f"gui/{uid}"

    @property
    def path(self) -> Path:
        return self.agents_dir / f"{LABEL}.plist"

    @property
    def location(self) -> str:
        return str(self.path)

    def install(self, entry: ScheduleEntry) -> None:
        """Write the agent and (re)load it.

        Raises:
            ScheduleError: launchctl could not load it; the file is removed again.
        """
        try:
            self.agents_dir.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_name(f".{self.path.name}.partial")
            partial.write_bytes(agent_plist(entry))
            partial.replace(self.path)
        except OSError as error:
            raise ScheduleError(f"无法写入 {self.path}：{error}") from error
        self._unload()  # an agent loaded before keeps its old time until reloaded
        loaded = self._run(["launchctl", "bootstrap", self._domain, str(self.path)])
        if not loaded.ok:
            loaded = self._run(["launchctl", "load", "-w", str(self.path)])
        if not loaded.ok:
            with contextlib.suppress(OSError):
                self.path.unlink()
            raise ScheduleError(loaded.failure())

    def read(self) -> ScheduleEntry | None:
        try:
            return parse_plist(self.path.read_bytes())
        except FileNotFoundError:
            return None
        except OSError as error:
            raise ScheduleError(f"无法读取 {self.path}：{error}") from error

    def remove(self) -> bool:
        """Unload the agent and delete its file; False if there was none."""
        if not self.path.exists():
            return False
        self._unload()
        try:
            self.path.unlink()
        except OSError as error:
            raise ScheduleError(f"无法删除 {self.path}：{error}") from error
        return True

    def _unload(self) -> None:
        """Unload the agent if it is loaded; failing means it was not."""
        if not self._run(["launchctl", "bootout", f"{self._domain}/{LABEL}"]).ok:
            self._run(["launchctl", "unload", str(self.path)])
