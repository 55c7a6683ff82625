"""The note a scheduled run leaves, so that the window can say afterwards what it did.

A run started by the schedule (``--scheduled``) writes when it started and on which
database to a small JSON file, and when it ended. The window, on start, takes the newest
job of its database's job log: when that job started during the last scheduled run, the
schedule ran it, and the window tells the analyst how it went (once).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path

from stockdesk.domain.values import JobRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduledRun:
    """One run of the schedule: when it started and ended, and its database target."""

    started: dt.datetime
    database: str
    finished: dt.datetime | None = None

    def ran(self, job: JobRecord, *, database: str) -> bool:
        """Whether ``job`` of ``database``'s job log was started by this run."""
        if database != self.database or job.start_time < self.started:
            return False
        return self.finished is None or job.start_time <= self.finished


def record_start(path: Path, database: str, now: dt.datetime | None = None) -> ScheduledRun:
    """Note that a scheduled run starts now on ``database``; returns the note."""
    run = ScheduledRun((now or dt.datetime.now()).replace(microsecond=0), database)
    _write(path, run)
    return run


def record_end(path: Path, run: ScheduledRun, now: dt.datetime | None = None) -> None:
    """Note that ``run`` has ended."""
    _write(path, replace(run, finished=(now or dt.datetime.now()).replace(microsecond=0)))


def load(path: Path) -> ScheduledRun | None:
    """The last scheduled run's note, or None if there is none (or it cannot be read)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        finished = data.get("finished")
        return ScheduledRun(
            started=dt.datetime.fromisoformat(data["started"]),
            database=str(data["database"]),
            finished=dt.datetime.fromisoformat(finished) if finished else None,
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        log.warning("cannot read the scheduled run's note %s: %s", path, error)
        return None


def _write(path: Path, run: ScheduledRun) -> None:
    """Write the note; a note that cannot be written is logged, never fails the run."""
    data = {
        "started": run.started.isoformat(),
        "finished": run.finished.isoformat() if run.finished else None,
        "database": run.database,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")
        partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        partial.replace(path)
    except OSError as error:
        log.warning("cannot write the scheduled run's note %s: %s", path, error)
