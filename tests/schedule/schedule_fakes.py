"""Stand-ins for the scheduler tools this Debian machine does not have (schtasks,
launchctl) or cannot use here (systemctl --user: no user manager runs in the test
environment), which record each call and answer from a script; and a look at the real
crontab."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence

import pytest

from stockdesk.schedule.runner import CommandResult

needs_crontab = pytest.mark.skipif(
    shutil.which("crontab") is None, reason="crontab is not installed (apt-get install cron)"
)


def current_crontab() -> list[str]:
    """The lines of the user's real crontab (none when there is no crontab)."""
    listed = subprocess.run(["crontab", "-l"], capture_output=True, text=True, check=False)
    return listed.stdout.splitlines() if listed.returncode == 0 else []


Answer = Callable[[tuple[str, ...], str | None], CommandResult | None]


class FakeRunner:
    """Records every command; ``answer`` may reply to one, otherwise it succeeds silently."""

    def __init__(self, answer: Answer | None = None) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.stdin: list[str | None] = []
        self._answer = answer

    def __call__(self, argv: Sequence[str], *, stdin: str | None = None) -> CommandResult:
        command = tuple(argv)
        self.calls.append(command)
        self.stdin.append(stdin)
        reply = self._answer(command, stdin) if self._answer else None
        return reply or CommandResult(command, 0)


def failing(command: tuple[str, ...], message: str = "failed", code: int = 1) -> CommandResult:
    return CommandResult(command, code, "", message)
