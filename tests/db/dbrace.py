"""Run in child processes by test_gate_processes: race to start a job on one database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dbfactories import make_request

from stockdesk.db.database import open_database
from stockdesk.db.joblog import JobLog
from stockdesk.domain.errors import JobRunningError


def start_when_all_are_ready(path: Path | str, barrier: Any, results: Any) -> None:
    """Open the database, wait for the others, try to start a job, report, wait again.

    The second wait keeps the winner alive until every contender has tried: a winner
    that had already exited would rightly count as dead and not block anyone.
    """
    db = open_database(path)
    try:
        barrier.wait(timeout=30)
        try:
            results.put(JobLog(db).start_job(make_request()).id)
        except JobRunningError:
            results.put("refused")
        barrier.wait(timeout=30)
    finally:
        db.close()
