"""The FastAPI application: the original collection service's endpoints over the engine.

The routes only translate: requests are checked by the engine's own functions
(``stockdesk.domain.request``, ``stockdesk.domain.codes``), so the API refuses exactly
what the command line and the window refuse, in the same words; jobs start through
:class:`~stockdesk.server.jobs.JobRunner`, and everything is read back from the job log.
The routes are plain functions: FastAPI runs them in its thread pool, so a database read
never holds up the event loop, and none of them waits on a running job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request, Response, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer

from stockdesk import __version__
from stockdesk.db.joblog import JobLog
from stockdesk.domain.errors import (
    DATE_FORMAT_MESSAGE,
    DatabaseError,
    InputError,
    JobRunningError,
)
from stockdesk.domain.request import CheckedRequest, build_request, parse_date, update_request
from stockdesk.domain.values import JobRequest, JobStatus
from stockdesk.server.auth import Guard
from stockdesk.server.jobs import JobRunner
from stockdesk.server.schemas import (
    ErrorBody,
    JobStatusRecord,
    JobSummary,
    StartRequest,
    StartResponse,
)

BOTH_CHOSEN_MESSAGE = "codes 和 universe 只能指定其中一个"
NOT_HERE_MESSAGE = "该任务由其他进程（窗口或命令行）运行，请在那里取消"

_REFUSED: dict[int | str, dict[str, Any]] = {400: {"model": ErrorBody}}
_UNKNOWN: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody}}

DESCRIPTION = """\
Start, watch and cancel StockDesk's collection jobs over HTTP: the same engine, job log
and one-job-per-database gate as the window and `stockdesk collect`. A start answers at
once with the task ID; poll its status until it is no longer `running`.
"""


def create_app(
    runner: JobRunner, joblog: JobLog, *, token: str | None, hosts: Iterable[str] | None
) -> FastAPI:
    """The API over ``runner`` and ``joblog``.

    ``token``: every request must carry it as a bearer token (None: no token asked).
    ``hosts``: the host names a request may be addressed to (None: any), see
    :class:`~stockdesk.server.auth.Guard`.
    """
    # The scheme only documents the token in /docs; the Guard checks it, on every request.
    documented = [Security(HTTPBearer(auto_error=False))] if token else []
    app = FastAPI(
        title="StockDesk", version=__version__, description=DESCRIPTION, dependencies=documented
    )
    app.add_middleware(Guard, token=token, hosts=hosts)

    @app.exception_handler(DatabaseError)
    def database_error(_request: Request, error: DatabaseError) -> JSONResponse:
        return JSONResponse({"detail": f"数据库错误：{error}"}, status_code=500)

    def start(request: JobRequest) -> str:
        """Start ``request`` in the runner; 400 with the engine's words when refused."""
        try:
            return runner.start(request)
        except (JobRunningError, InputError) as refused:
            raise HTTPException(400, str(refused)) from None

    @app.post(
        "/start_historical_collection",
        response_model=StartResponse,
        responses=_REFUSED,
        summary="Start a collection job",
    )
    def start_historical_collection(body: StartRequest) -> StartResponse:
        """Start a job and answer with its task ID at once; 400 when the request is not
        valid or another job runs on the database (here, in the window or the CLI)."""
        checked = _checked(body)
        return StartResponse(task_id=start(checked.request), notes=list(checked.notes))

    @app.post(
        "/update",
        response_model=StartResponse,
        responses=_REFUSED,
        summary="Start an update job: the database to the last trading day",
    )
    def update() -> StartResponse:
        """Start the job of ``stockdesk update`` and answer with its task ID at once: every
        stored stock gets the trading days after its last stored one, stocks listed since
        get their history, adjust factors are brought up to date. 400 when the database
        holds no bars to update yet (collect a range first) or another job runs on it."""
        return StartResponse(task_id=start(update_request(dt.date.today())))

    @app.get(
        "/historical_collection_status/{task_id}",
        response_model=JobStatusRecord,
        responses=_UNKNOWN,
        summary="A job's status record",
    )
    def historical_collection_status(task_id: str) -> JobStatusRecord:
        """The job's record, whichever process runs or ran it, with its failed stocks."""
        job = joblog.get_job(task_id, with_failures=True)
        if job is None:
            raise HTTPException(404, _unknown(task_id))
        return JobStatusRecord.of(job)

    @app.get(
        "/historical_collection_tasks",
        response_model=list[JobSummary],
        summary="Every job, newest first",
    )
    def historical_collection_tasks(
        limit: Annotated[int | None, Query(ge=1, description="at most this many")] = None,
    ) -> list[JobSummary]:
        """Every job in the job log, newest first, without the failed stocks (read one
        job's status for those)."""
        return [JobSummary.of(job) for job in joblog.list_jobs(limit)]

    @app.post(
        "/historical_collection_tasks/{task_id}/cancel",
        response_model=JobStatusRecord,
        responses={**_UNKNOWN, 202: {"model": JobStatusRecord}, 409: {"model": ErrorBody}},
        summary="Cancel a running job",
    )
    def cancel_historical_collection(task_id: str, response: Response) -> JobStatusRecord:
        """Stop a job this server runs; it ends ``cancelled`` and keeps every stock
        committed so far. Answers with the record once the job has ended (202 with the
        record still ``running`` if it takes longer than a few seconds)."""
        job = joblog.get_job(task_id)
        if job is None:
            raise HTTPException(404, _unknown(task_id))
        if job.status is not JobStatus.RUNNING:
            raise HTTPException(409, f"任务已结束（{job.status}），无需取消")
        if not runner.cancel(task_id):
            after = joblog.get_job(task_id)
            if after is not None and after.status is not JobStatus.RUNNING:
                raise HTTPException(409, f"任务已结束（{after.status}），无需取消")
            raise HTTPException(409, NOT_HERE_MESSAGE)
        final = joblog.get_job(task_id, with_failures=True)
        assert final is not None
        if final.status is JobStatus.RUNNING:
            response.status_code = 202
        return JobStatusRecord.of(final)

    return app


def _checked(body: StartRequest) -> CheckedRequest:
    """The request as the command line would build it, or 400 with the engine's message.

    A malformed date gets the original service's exact words (the command line adds the
    text it could not read).
    """
    try:
        start, end = parse_date(body.start_date), parse_date(body.end_date)
    except InputError:
        raise HTTPException(400, DATE_FORMAT_MESSAGE) from None
    if body.codes is not None and body.universe is not None:
        raise HTTPException(400, BOTH_CHOSEN_MESSAGE)
    try:
        return build_request(
            start,
            end,
            adjustflag=str(body.adjustflag),
            # An empty list is refused ("请至少输入一个股票代码"), never the whole market.
            universe="codes" if body.codes is not None else body.universe or "all",
            codes=tuple(body.codes or ()),
            frequency=body.frequency,
        )
    except InputError as bad:
        raise HTTPException(400, str(bad)) from None


def _unknown(task_id: str) -> str:
    return f"没有找到任务：{task_id}"
