"""Stand-ins for the scheduler tools this Debian machine does not have (schtasks,
launchctl) or cannot use here (systemctl --user: no user manager runs in the test
environment). They record each call and answer from a script."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from stockdesk.schedule.runner import CommandResult

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
