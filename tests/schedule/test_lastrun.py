"""The note a scheduled run leaves, and which job it says the schedule ran."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from stockdesk.domain.values import AdjustFlag, JobRecord, JobStatus
from stockdesk.schedule import lastrun

START = dt.datetime(2024, 6, 12, 18, 30, 0)


def job(start_time):
    return JobRecord(
        id="historical_collection_20240612_183001_1",
        status=JobStatus.COMPLETED,
        start_date=dt.date(2024, 6, 1),
        end_date=dt.date(2024, 6, 12),
        adjustflag=AdjustFlag.NONE,
        universe="all",
        start_time=start_time,
    )


def test_note_round_trips(tmp_path):
    path = tmp_path / "data" / "last-scheduled-run.json"
    assert lastrun.load(path) is None
    run = lastrun.record_start(path, "/data/a.db", now=START.replace(microsecond=5))
    assert lastrun.load(path) == lastrun.ScheduledRun(START, "/data/a.db")
    lastrun.record_end(path, run, now=START + dt.timedelta(minutes=2))
    assert lastrun.load(path) == replace(run, finished=START + dt.timedelta(minutes=2))
    assert not list(path.parent.glob(".*partial"))


def test_the_job_of_the_run_is_the_one_started_during_it_on_its_database():
    run = lastrun.ScheduledRun(START, "/data/a.db", START + dt.timedelta(minutes=5))
    assert run.ran(job(START + dt.timedelta(seconds=1)), database="/data/a.db")
    assert run.ran(job(START), database="/data/a.db")
    assert not run.ran(job(START + dt.timedelta(seconds=1)), database="/data/b.db")
    assert not run.ran(job(START - dt.timedelta(seconds=1)), database="/data/a.db")
    assert not run.ran(job(START + dt.timedelta(minutes=6)), database="/data/a.db")
    still_running = replace(run, finished=None)
    assert still_running.ran(job(START + dt.timedelta(hours=1)), database="/data/a.db")


def test_a_broken_or_unwritable_note_is_no_error(tmp_path):
    path = tmp_path / "note.json"
    path.write_text("{not json")
    assert lastrun.load(path) is None
    path.write_text('{"started": "yesterday", "database": "x"}')
    assert lastrun.load(path) is None
    blocked = tmp_path / "file"
    blocked.write_text("")
    lastrun.record_start(blocked / "note.json", "x")  # a file where the folder should be
    assert lastrun.load(blocked / "note.json") is None
