"""The one-job gate holds between OS processes, not just between threads."""

from __future__ import annotations

import multiprocessing

from dbrace import start_when_all_are_ready

from stockdesk.db.database import open_database
from stockdesk.db.joblog import JobLog
from stockdesk.domain.taskid import TASK_ID_PATTERN

CONTENDERS = 3


def test_exactly_one_of_several_processes_starts_a_job(database_target: str) -> None:
    path = database_target
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(CONTENDERS)
    results = context.Queue()
    processes = [
        context.Process(target=start_when_all_are_ready, args=(path, barrier, results))
        for _ in range(CONTENDERS)
    ]
    for process in processes:
        process.start()
    outcomes = sorted(results.get(timeout=60) for _ in processes)
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0

    assert outcomes[1:] == ["refused"] * (CONTENDERS - 1)
    assert TASK_ID_PATTERN.match(outcomes[0])
    db = open_database(path)
    try:
        assert [job.id for job in JobLog(db).list_jobs()] == [outcomes[0]]
    finally:
        db.close()
