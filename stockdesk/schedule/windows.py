r"""Windows: a task ``\StockDesk\DailyUpdate`` in the user's Task Scheduler.

``schtasks /Create /SC DAILY`` cannot ask for "run the task as soon as possible after a
scheduled start is missed", so the task is written as Task Scheduler XML with
``<StartWhenAvailable>true</StartWhenAvailable>`` and registered with
``schtasks /Create /XML file /TN StockDesk\DailyUpdate /F``. It runs as the user who set
it, only while they are logged on (no password is stored), at the least privilege.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from stockdesk.schedule.entry import ScheduleEntry, ScheduleError
from stockdesk.schedule.runner import Runner

TASK_NAME = "StockDesk\\DailyUpdate"
TASK_NAMESPACE = "http://schemas.microsoft.com/windows/2004/02/mit/task"
EXECUTION_LIMIT = "PT4H"
"""An update that hangs is stopped after four hours, in time for the next day's."""

_NS = {"t": TASK_NAMESPACE}


def windows_join(arguments: tuple[str, ...] | list[str]) -> str:
    """Arguments as one Windows command line (the C runtime's quoting rules)."""
    return subprocess.list2cmdline(arguments)


def windows_split(line: str) -> list[str]:
    """The arguments of a command line, as the C runtime (CommandLineToArgvW) reads them:
    the inverse of :func:`windows_join`."""
    words: list[str] = []
    current: list[str] = []
    backslashes = 0
    quoted = started = False
    for char in line:
        if char == "\\":
            backslashes += 1
            continue
        if char == '"':
            current.append("\\" * (backslashes // 2))
            if backslashes % 2:
                current.append('"')
            else:
                quoted = not quoted
            backslashes, started = 0, True
            continue
        current.append("\\" * backslashes)
        started = started or backslashes > 0
        backslashes = 0
        if char in " \t" and not quoted:
            if started:
                words.append("".join(current))
            current, started = [], False
            continue
        current.append(char)
        started = True
    current.append("\\" * backslashes)
    if started or backslashes:
        words.append("".join(current))
    return words


def next_start(time: dt.time, now: dt.datetime) -> dt.datetime:
    """The first run: today at ``time`` if that is still to come, else tomorrow.

    A start boundary in the past would count as a missed start and, with
    StartWhenAvailable, run the task the moment it is registered.
    """
    start = dt.datetime.combine(now.date(), time)
    return start if start > now else start + dt.timedelta(days=1)


def task_xml(entry: ScheduleEntry, *, now: dt.datetime) -> str:
    """The task definition (Task Scheduler schema 1.2) for ``entry``, as text."""
    ET.register_namespace("", TASK_NAMESPACE)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{TASK_NAMESPACE}}}{tag}", attributes)
        element.text = text
        return element

    task = ET.Element(f"{{{TASK_NAMESPACE}}}Task", {"version": "1.2"})
    info = sub(task, "RegistrationInfo")
    sub(
        info,
        "Description",
        "StockDesk daily update (stockdesk schedule set); `stockdesk schedule remove` deletes it.",
    )
    sub(info, "URI", f"\\{TASK_NAME}")
    trigger = sub(sub(task, "Triggers"), "CalendarTrigger")
    sub(trigger, "StartBoundary", next_start(entry.time, now).isoformat(timespec="seconds"))
    sub(trigger, "Enabled", "true")
    sub(sub(trigger, "ScheduleByDay"), "DaysInterval", "1")
    principal = sub(sub(task, "Principals"), "Principal", id="Author")
    sub(principal, "LogonType", "InteractiveToken")
    sub(principal, "RunLevel", "LeastPrivilege")
    settings = sub(task, "Settings")
    sub(settings, "MultipleInstancesPolicy", "IgnoreNew")
    sub(settings, "DisallowStartIfOnBatteries", "false")
    sub(settings, "StopIfGoingOnBatteries", "false")
    sub(settings, "StartWhenAvailable", "true")
    sub(settings, "RunOnlyIfNetworkAvailable", "false")
    sub(settings, "Enabled", "true")
    sub(settings, "ExecutionTimeLimit", EXECUTION_LIMIT)
    execute = sub(sub(task, "Actions", Context="Author"), "Exec")
    program = entry.command[0]
    sub(execute, "Command", f'"{program}"' if " " in program else program)
    if len(entry.command) > 1:
        sub(execute, "Arguments", windows_join(list(entry.command[1:])))
    ET.indent(task)
    return (
        '<?xml version="1.0" encoding="UTF-16"?>\n' + ET.tostring(task, encoding="unicode") + "\n"
    )


def parse_task_xml(text: str) -> ScheduleEntry | None:
    """The entry a task definition (as ``schtasks /Query /XML`` prints it) describes."""
    try:
        task = ET.fromstring(text.lstrip("\ufeff").strip())
    except ET.ParseError:
        return None
    start = task.findtext("t:Triggers/t:CalendarTrigger/t:StartBoundary", namespaces=_NS)
    program = task.findtext("t:Actions/t:Exec/t:Command", namespaces=_NS)
    arguments = task.findtext("t:Actions/t:Exec/t:Arguments", default="", namespaces=_NS)
    if not start or not program:
        return None
    try:
        # The boundary may carry seconds' fractions or a zone: only the clock time counts.
        clock = (
            dt.datetime.fromisoformat(start.strip())
            .time()
            .replace(second=0, microsecond=0, tzinfo=None)
        )
    except ValueError:
        return None
    program = program.strip()
    if len(program) > 1 and program.startswith('"') and program.endswith('"'):
        program = program[1:-1]
    return ScheduleEntry(clock, (program, *windows_split(arguments.strip())))


class TaskSchedulerBackend:
    r"""The task ``\StockDesk\DailyUpdate``, through ``schtasks``."""

    name = "schtasks"
    location = f"\\{TASK_NAME}"

    def __init__(
        self,
        runner: Runner,
        *,
        temp_dir: Path | None = None,
        now: Callable[[], dt.datetime] = dt.datetime.now,
    ) -> None:
        self._run = runner
        self._temp_dir = temp_dir
        self._now = now

    def install(self, entry: ScheduleEntry) -> None:
        xml = task_xml(entry, now=self._now())
        handle, name = tempfile.mkstemp(suffix=".xml", prefix="stockdesk-task-", dir=self._temp_dir)
        try:
            # UTF-16 with its byte-order mark: the encoding schtasks reads reliably.
            with os.fdopen(handle, "w", encoding="utf-16") as file:
                file.write(xml)
            result = self._run(["schtasks", "/Create", "/XML", name, "/TN", TASK_NAME, "/F"])
        finally:
            with contextlib.suppress(OSError):
                os.unlink(name)
        if not result.ok:
            raise ScheduleError(result.failure())

    def read(self) -> ScheduleEntry | None:
        result = self._run(["schtasks", "/Query", "/TN", TASK_NAME, "/XML"])
        if not result.ok:
            # No such task (schtasks says so in the system's language, with exit code 1).
            return None
        return parse_task_xml(result.stdout)

    def remove(self) -> bool:
        if self.read() is None:
            return False
        result = self._run(["schtasks", "/Delete", "/TN", TASK_NAME, "/F"])
        if not result.ok:
            raise ScheduleError(result.failure())
        return True
