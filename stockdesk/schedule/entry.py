"""The schedule's entry, whatever the system: the time of day and the command it runs.

The command is ``stockdesk update`` run by the same program that set the schedule, with the
database and server the user chose passed on (the scheduler starts it with none of the
user's options or environment). ``--scheduled`` marks the run, so that the window can tell
the analyst afterwards what the scheduled update did.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from stockdesk.domain.errors import EXIT_FAILURES, InputError, StockDeskError

TIME_FORMAT_MESSAGE = "时间格式错误，请使用 HH:MM 格式（如 18:30）"
SCHEDULED_FLAG = "--scheduled"
"""The global option the entry passes: the run was started by the schedule."""
UPDATE_COMMAND = "update"
WINDOWS_CLI = "stockdesk-cli.exe"
"""The bundle's console twin on Windows (stockdesk.spec): the windowed one cannot print."""

_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")


class ScheduleError(StockDeskError):
    """The system's scheduler could not be reached or refused the entry."""

    exit_code = EXIT_FAILURES


@dataclass(frozen=True)
class ScheduleEntry:
    """A daily run: at ``time`` (local, whole minutes) run ``command`` (program first)."""

    time: dt.time
    command: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.command:
            raise ValueError("a schedule entry needs a command")
        for part in self.command:
            # No scheduler's file format carries a line break or NUL inside an argument.
            if any(ord(char) < 32 for char in part):
                raise InputError(f"命令行参数不能包含控制字符：{part!r}")

    @property
    def clock(self) -> str:
        """The time as ``HH:MM``."""
        return f"{self.time.hour:02d}:{self.time.minute:02d}"

    def command_line(self, platform: str | None = None) -> str:
        """The command as one line quoted for ``platform``'s shell (default this one)."""
        if (platform or sys.platform) == "win32":
            return subprocess.list2cmdline(self.command)
        return shlex.join(self.command)


def parse_time(text: str) -> dt.time:
    """``HH:MM`` (or ``H:MM``), 00:00 to 23:59.

    Raises:
        InputError: anything else, with :data:`TIME_FORMAT_MESSAGE`.
    """
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise InputError(TIME_FORMAT_MESSAGE)
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise InputError(TIME_FORMAT_MESSAGE)
    return dt.time(hour, minute)


def program(
    *, frozen: bool | None = None, executable: str | None = None, platform: str | None = None
) -> tuple[str, ...]:
    """How to start StockDesk's command line again, as the start of a command.

    A frozen bundle (PyInstaller) runs itself, except on Windows, where the windowed
    ``stockdesk.exe`` cannot print and the console twin beside it is used; from source,
    the interpreter runs the package (``python -m stockdesk``).
    """
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    executable = executable or sys.executable
    platform = platform or sys.platform
    if not frozen:
        return (executable, "-m", "stockdesk")
    if platform == "win32":
        # PureWindowsPath: the folder of a Windows path, whichever system builds the entry.
        return (str(PureWindowsPath(executable).with_name(WINDOWS_CLI)),)
    return (executable,)


def update_command(
    start: Sequence[str], *, database: str | None = None, server: str | None = None
) -> tuple[str, ...]:
    """``start`` (see :func:`program`) followed by the update with the user's options.

    The global options come before the command, where the top-level parser reads them
    whatever the command's own options are.
    """
    command = list(start)
    if database:
        command += ["--db", database]
    if server:
        command += ["--server", server]
    return (*command, SCHEDULED_FLAG, UPDATE_COMMAND)


def absolute_database(target: str, cwd: Path | None = None) -> str:
    """``target`` (a file path or a SQLAlchemy URL) with a relative SQLite path made absolute.

    The scheduler starts the run in another folder than the one the user typed the path in.
    """
    base = cwd or Path.cwd()
    prefix = "sqlite:///"
    if "://" not in target:
        path = Path(target).expanduser()
        return str(path if path.is_absolute() else base / path)
    if target.startswith(prefix):
        rest = target[len(prefix) :]
        file, query = rest.split("?", 1) if "?" in rest else (rest, None)
        if file and file != ":memory:" and not Path(file).is_absolute():
            absolute = f"{prefix}{base / file}"
            return f"{absolute}?{query}" if query is not None else absolute
    return target
