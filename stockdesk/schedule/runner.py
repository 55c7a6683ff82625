"""Running the system's scheduler tools (systemctl, crontab, launchctl, schtasks).

The backends get a :class:`Runner` rather than calling :mod:`subprocess` themselves, so a
test can run the real tool with its own environment, or stand in for a tool this machine
does not have.
"""

from __future__ import annotations

import locale
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from stockdesk.schedule.entry import ScheduleError

TIMEOUT = 30.0
"""Seconds a tool may take; any of them answers in well under one."""


@dataclass(frozen=True)
class CommandResult:
    """What a tool did: its exit code and its output as text."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def failure(self) -> str:
        """A user-facing line: which command failed, how, and what it said."""
        said = (self.stderr.strip() or self.stdout.strip()).splitlines()
        detail = f"：{said[-1]}" if said else ""
        return f"命令 {' '.join(self.argv)} 失败（退出码 {self.returncode}）{detail}"


class Runner(Protocol):
    """Runs one command to its end; ``stdin`` is written to it as text."""

    def __call__(self, argv: Sequence[str], *, stdin: str | None = None) -> CommandResult: ...


class SubprocessRunner:
    """The real tools, in ``env`` (default this process's environment).

    Messages come in English (``LC_ALL=C``), so that a backend can tell "no crontab" from
    a real failure. On Windows no console window flashes up for the call.

    Raises (when called):
        ScheduleError: the tool is missing or did not end within ``timeout`` seconds.
    """

    def __init__(self, env: Mapping[str, str] | None = None, *, timeout: float = TIMEOUT) -> None:
        self.env = dict(os.environ if env is None else env)
        if sys.platform != "win32":
            self.env["LC_ALL"] = "C"
        self.timeout = timeout

    def __call__(self, argv: Sequence[str], *, stdin: str | None = None) -> CommandResult:
        command = tuple(argv)
        try:
            completed = subprocess.run(
                command,
                input=None if stdin is None else stdin.encode("utf-8"),
                capture_output=True,
                env=self.env,
                timeout=self.timeout,
                check=False,
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
            )
        except FileNotFoundError as error:
            raise ScheduleError(f"找不到系统命令 {command[0]}") from error
        except subprocess.TimeoutExpired as error:
            raise ScheduleError(
                f"命令 {' '.join(command)} 在 {self.timeout:g} 秒内没有结束"
            ) from error
        except OSError as error:
            raise ScheduleError(f"无法运行 {command[0]}：{error}") from error
        return CommandResult(
            command, completed.returncode, decode(completed.stdout), decode(completed.stderr)
        )


def decode(data: bytes) -> str:
    """A tool's output as text: UTF-16 with its byte-order mark (schtasks' XML), UTF-8, or
    failing that the system's own code page (Windows tools in a Chinese locale)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(locale.getpreferredencoding(False), errors="replace")
