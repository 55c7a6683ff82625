"""Linux: a systemd user timer, or a line in the user's crontab where systemd --user is absent.

The timer (``~/.config/systemd/user/stockdesk-update.timer`` and its ``.service``) has
``Persistent=true``: a run missed while the computer was off runs at the next boot or
login. Containers and some minimal systems have no user manager; there the entry is one
crontab line marked ``# stockdesk-update``, and cron does not make up missed runs.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shlex
from collections.abc import Mapping
from pathlib import Path

from stockdesk.schedule.entry import ScheduleEntry, ScheduleError
from stockdesk.schedule.runner import Runner

log = logging.getLogger(__name__)

SERVICE = "stockdesk-update.service"
TIMER = "stockdesk-update.timer"
CRON_MARKER = "# stockdesk-update"
CRON_QUIET = ">/dev/null 2>&1"
"""The run logs to StockDesk's log file; its printed result would only become cron mail."""

USER_MANAGER_STATES = {"running", "degraded", "starting", "initializing"}
"""``systemctl --user is-system-running`` answers of a user manager that works. It exits
non-zero for ``degraded`` (some other unit failed), so its output, not its exit code, counts."""

_ON_CALENDAR = re.compile(r"OnCalendar=\*-\*-\* (\d{2}):(\d{2}):00")
_SYSTEMD_SPECIAL = re.compile(r"""[\s"'\\;]""")


def systemd_user_available(runner: Runner, env: Mapping[str, str]) -> bool:
    """Whether a systemd user manager runs for this user (there is a session bus to it)."""
    if not env.get("XDG_RUNTIME_DIR"):
        return False
    try:
        result = runner(["systemctl", "--user", "is-system-running"])
    except ScheduleError:
        return False
    return result.stdout.strip() in USER_MANAGER_STATES


def config_home(env: Mapping[str, str], home: Path) -> Path:
    """``$XDG_CONFIG_HOME`` when it is an absolute path (the spec ignores others), else
    ``~/.config``."""
    value = env.get("XDG_CONFIG_HOME", "")
    return Path(value) if value and os.path.isabs(value) else home / ".config"


# -- systemd ----------------------------------------------------------------------------


def systemd_quote(argument: str) -> str:
    """One ``ExecStart=`` word: quoted when it must be, specifiers (``%``) and variables
    (``$``) doubled so systemd passes them on as they are."""
    escaped = argument.replace("%", "%%").replace("$", "$$")
    if argument and not _SYSTEMD_SPECIAL.search(argument):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_split(line: str) -> tuple[str, ...]:
    """The words of an ``ExecStart=`` value written by :func:`systemd_quote`."""
    return tuple(word.replace("%%", "%").replace("$$", "$") for word in shlex.split(line))


def service_text(entry: ScheduleEntry) -> str:
    command = " ".join(systemd_quote(word) for word in entry.command)
    return (
        "# Written by StockDesk (stockdesk schedule set); `stockdesk schedule remove` "
        "deletes it.\n"
        "[Unit]\n"
        "Description=StockDesk daily update\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecStart={command}\n"
    )


def timer_text(entry: ScheduleEntry) -> str:
    return (
        "# Written by StockDesk (stockdesk schedule set); `stockdesk schedule remove` "
        "deletes it.\n"
        "[Unit]\n"
        f"Description=StockDesk daily update at {entry.clock}\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar=*-*-* {entry.clock}:00\n"
        "# A run missed while the computer was off runs at the next boot or login.\n"
        "Persistent=true\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )


def parse_units(service: str, timer: str) -> ScheduleEntry | None:
    """The entry the two unit files describe, or None if they are not ours as written."""
    time = command = None
    for line in timer.splitlines():
        match = _ON_CALENDAR.fullmatch(line.strip())
        if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
            time = (int(match.group(1)), int(match.group(2)))
    for line in service.splitlines():
        if line.startswith("ExecStart="):
            command = systemd_split(line.removeprefix("ExecStart="))
    if time is None or not command:
        return None
    return ScheduleEntry(dt.time(*time), command)


class SystemdBackend:
    """A systemd user timer in ``unit_dir`` (default ``~/.config/systemd/user``)."""

    name = "systemd"

    def __init__(self, runner: Runner, unit_dir: Path) -> None:
        self._run = runner
        self.unit_dir = unit_dir

    @property
    def service_path(self) -> Path:
        return self.unit_dir / SERVICE

    @property
    def timer_path(self) -> Path:
        return self.unit_dir / TIMER

    @property
    def location(self) -> str:
        return str(self.timer_path)

    def install(self, entry: ScheduleEntry) -> None:
        """Write both units, reload the user manager and start the timer.

        Raises:
            ScheduleError: systemctl failed; the units are removed again.
        """
        replacing = self.timer_path.exists()
        try:
            self.unit_dir.mkdir(parents=True, exist_ok=True)
            _write(self.service_path, service_text(entry))
            _write(self.timer_path, timer_text(entry))
        except OSError as error:
            raise ScheduleError(f"无法写入 {self.unit_dir}：{error}") from error
        steps = [
            ["systemctl", "--user", "daemon-reload"],
            ["systemctl", "--user", "enable", "--now", TIMER],
        ]
        if replacing:
            # A running timer keeps its old time until it is started again.
            steps.append(["systemctl", "--user", "restart", TIMER])
        for argv in steps:
            result = self._run(argv)
            if not result.ok:
                self._delete_units()
                raise ScheduleError(result.failure())

    def read(self) -> ScheduleEntry | None:
        try:
            return parse_units(
                self.service_path.read_text(encoding="utf-8"),
                self.timer_path.read_text(encoding="utf-8"),
            )
        except FileNotFoundError:
            return None
        except OSError as error:
            raise ScheduleError(f"无法读取 {self.unit_dir}：{error}") from error

    def remove(self) -> bool:
        """Stop and disable the timer and delete both units; False if there were none.

        The units go even when the user manager cannot be reached: without them nothing
        can run.
        """
        if not (self.timer_path.exists() or self.service_path.exists()):
            return False
        try:
            disabled = self._run(["systemctl", "--user", "disable", "--now", TIMER])
        except ScheduleError as error:
            log.warning("could not disable %s: %s", TIMER, error)
        else:
            if not disabled.ok:
                log.warning("could not disable %s: %s", TIMER, disabled.failure())
        self._delete_units()
        return True

    def _delete_units(self) -> None:
        # The link `enable` made, should `disable` not have removed it.
        wanted = self.unit_dir / "timers.target.wants" / TIMER
        for path in (wanted, self.timer_path, self.service_path):
            try:
                path.unlink(missing_ok=True)
            except OSError as error:
                raise ScheduleError(f"无法删除 {path}：{error}") from error
        # Let the manager forget them; nothing is lost if it cannot.
        try:
            self._run(["systemctl", "--user", "daemon-reload"])
        except ScheduleError as error:
            log.warning("systemctl --user daemon-reload: %s", error)


def _write(path: Path, text: str) -> None:
    """Replace ``path`` whole, never leaving half a file."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


# -- crontab ----------------------------------------------------------------------------


def cron_quote(argument: str) -> str:
    """One word of a crontab command: shell-quoted, ``%`` escaped (cron makes a bare ``%``
    a line break)."""
    return shlex.quote(argument).replace("%", "\\%")


def cron_line(entry: ScheduleEntry) -> str:
    command = " ".join(cron_quote(word) for word in entry.command)
    return f"{entry.time.minute} {entry.time.hour} * * * {command} {CRON_QUIET} {CRON_MARKER}"


def parse_cron_line(line: str) -> ScheduleEntry | None:
    """The entry a line written by :func:`cron_line` describes, or None."""
    body = line.strip()
    if not body.endswith(CRON_MARKER):
        return None
    body = body.removesuffix(CRON_MARKER).rstrip().removesuffix(CRON_QUIET).rstrip()
    fields = body.split(None, 5)
    if len(fields) != 6 or fields[2:5] != ["*", "*", "*"]:
        return None
    minute, hour, command = fields[0], fields[1], fields[5]
    if not (minute.isdigit() and hour.isdigit() and int(hour) < 24 and int(minute) < 60):
        return None
    words = tuple(shlex.split(command.replace("\\%", "%")))
    return ScheduleEntry(dt.time(int(hour), int(minute)), words) if words else None


def _ours(line: str) -> bool:
    return line.rstrip().endswith(CRON_MARKER)


class CrontabBackend:
    """One marked line in the user's crontab, edited through ``crontab -l`` / ``crontab -``."""

    name = "crontab"
    location = "crontab -l"

    def __init__(self, runner: Runner) -> None:
        self._run = runner

    def install(self, entry: ScheduleEntry) -> None:
        lines = [line for line in self._lines() if not _ours(line)]
        self._write([*lines, cron_line(entry)])

    def read(self) -> ScheduleEntry | None:
        for line in self._lines():
            if _ours(line):
                return parse_cron_line(line)
        return None

    def remove(self) -> bool:
        lines = self._lines()
        kept = [line for line in lines if not _ours(line)]
        if len(kept) == len(lines):
            return False
        self._write(kept)
        return True

    def _lines(self) -> list[str]:
        result = self._run(["crontab", "-l"])
        if result.ok:
            return result.stdout.splitlines()
        if "no crontab" in result.stderr.lower():
            return []
        raise ScheduleError(result.failure())

    def _write(self, lines: list[str]) -> None:
        # crontab refuses a last line without its line break.
        result = self._run(["crontab", "-"], stdin="".join(f"{line}\n" for line in lines))
        if not result.ok:
            raise ScheduleError(result.failure())
