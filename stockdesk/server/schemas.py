"""The API's request and response bodies, as the original collection service named them.

Clients of that service read ``task_id`` and ``status`` from a start and the status
record's fields (status, progress, total_stocks, processed_stocks, success_count,
failed_count, collected_count, skipped_count, start_time, end_time, error_message,
failed_details) under the same names; the job log's columns already carry them
(``JobRecord``), so a record is copied field by field, never renamed.

Dates in a start request are plain strings: a malformed date must be the service's 400
with its message, not the 422 a typed date field would give.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from stockdesk.domain.frequency import item_label
from stockdesk.domain.values import ItemResult, JobRecord, JobStatus


class StartRequest(BaseModel):
    """``POST /start_historical_collection``."""

    model_config = ConfigDict(extra="forbid")  # a misspelt option must not go unnoticed

    start_date: str = Field(description="first day, YYYY-MM-DD", examples=["2024-01-01"])
    end_date: str = Field(
        description="last day, YYYY-MM-DD (a future day becomes today)", examples=["2024-12-31"]
    )
    codes: list[str] | None = Field(
        None,
        description="explicit codes (sh.600000, 600000, 600000.SH ...); instead of universe",
        examples=[["sh.600000", "000001"]],
    )
    universe: str | None = Field(None, description="all (default), hs300, sz50, zz500 or index")
    adjustflag: str | int = Field("3", description="1 backward, 2 forward, 3 unadjusted")
    frequency: str = Field(
        "d", description="d (default), w, m, or 5/15/30/60 minutes (stocks, from 1999-07-26)"
    )


class StartResponse(BaseModel):
    """A job that is in the job log and running in the server's worker thread."""

    task_id: str = Field(examples=["historical_collection_20240506_093000_140245"])
    status: Literal["running"] = "running"
    notes: list[str] = Field(
        default_factory=list, description="how the request was adjusted, e.g. a future end date"
    )


class FailedDetail(BaseModel):
    """One stock that failed, with the reason and how often it was tried."""

    code: str
    name: str
    error_code: str | None
    error_message: str | None
    attempts: int

    @classmethod
    def of(cls, item: ItemResult) -> FailedDetail:
        return cls(
            code=item.code,
            # The original service's fields only: an update's item of weekly or minute
            # bars names its frequency beside the stock's name.
            name=item_label(item.name, item.frequency),
            error_code=item.error_code,
            error_message=item.error_message,
            attempts=item.attempts,
        )


class JobSummary(BaseModel):
    """A job's status record without its failed stocks (the task list)."""

    task_id: str
    status: JobStatus
    progress: int = Field(description="0-100")
    total_stocks: int
    processed_stocks: int
    success_count: int
    failed_count: int
    collected_count: int = Field(description="rows stored")
    skipped_count: int
    start_time: dt.datetime
    end_time: dt.datetime | None
    error_message: str | None
    start_date: dt.date
    end_date: dt.date
    adjustflag: str
    universe: str
    strategy: str | None = Field(description="per-date or per-stock, once planned")
    resumes: str | None = Field(description="the task this one continues, if any")

    @classmethod
    def fields_of(cls, job: JobRecord) -> dict[str, object]:
        names = set(JobSummary.model_fields) - {"task_id"}
        return {"task_id": job.id, **{name: getattr(job, name) for name in names}}

    @classmethod
    def of(cls, job: JobRecord) -> JobSummary:
        return cls.model_validate(cls.fields_of(job))


class JobStatusRecord(JobSummary):
    """``GET /historical_collection_status/{task_id}``: the job and its failed stocks."""

    failed_details: list[FailedDetail]

    @classmethod
    def of(cls, job: JobRecord) -> JobStatusRecord:
        failed = [FailedDetail.of(item) for item in job.failed_details]
        return cls.model_validate({**cls.fields_of(job), "failed_details": failed})


class ErrorBody(BaseModel):
    """Every refusal: ``detail`` says why, in the engine's own words."""

    detail: str
