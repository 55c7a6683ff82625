"""Running ``stockdesk`` as a separate process, as a user or a scheduler would, and killing
it as a power cut would: for the recovery tests and the soak.

Both start the real command line, read ``jobs list --json`` (which, as the next start after
a crash, marks a killed job interrupted) and SIGKILL it mid-job. The job's session workers
must then end on their own; :func:`kill_hard` says which did not.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import psutil

KILL_WAIT = 30.0
"""Seconds a SIGKILLed process may take to be reaped."""


def stockdesk_command(*argv: str) -> list[str]:
    """The command line of a real ``stockdesk`` process."""
    return [sys.executable, "-m", "stockdesk", *argv]


def child_environment() -> dict[str, str]:
    """The child's environment: unbuffered, and no database or server from the caller."""
    env = {k: v for k, v in os.environ.items() if k not in ("STOCKDESK_DB", "STOCKDESK_SERVER")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def list_jobs(db_path: Path, *, timeout: float) -> list[dict[str, Any]]:
    """``stockdesk jobs list --json`` in a new process: also the "next start" that finds
    killed jobs and marks them interrupted."""
    done = subprocess.run(
        stockdesk_command("jobs", "list", "--json", "--db", str(db_path)),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_environment(),
    )
    if done.returncode != 0:
        raise RuntimeError(f"jobs list failed ({done.returncode}): {done.stderr}")
    return json.loads(done.stdout)


def kill_hard(process: subprocess.Popen, *, workers_grace: float = 10.0) -> list[psutil.Process]:
    """SIGKILL ``process``, as a power cut: no handler, no ``finally``, no atexit runs.

    Its worker processes get ``workers_grace`` seconds to notice and end on their own.
    Returns those that did not, after killing them: ours, so none is left running.
    """
    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=KILL_WAIT)
    _gone, alive = psutil.wait_procs(children, timeout=workers_grace)
    for orphan in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            orphan.kill()
    return alive
