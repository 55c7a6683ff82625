"""Values for the database tests: requests, bars and item results."""

from __future__ import annotations

import datetime as dt

from stockdesk.domain.values import Bar, ItemResult, ItemStatus, JobRequest

FIRST_DAY = dt.date(2024, 1, 2)


def make_request(**changes: object) -> JobRequest:
    values: dict[str, object] = {
        "start_date": dt.date(2024, 1, 1),
        "end_date": dt.date(2024, 12, 31),
    }
    values.update(changes)
    return JobRequest(**values)  # type: ignore[arg-type]


def make_bars(
    code: str, days: int, *, adjustflag: str = "3", close: float = 10.0, first: dt.date = FIRST_DAY
) -> list[Bar]:
    """``days`` consecutive calendar days of bars; the first has empty (None) fields."""
    bars = []
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        bars.append(
            (
                code,
                day.isoformat(),
                adjustflag,
                close - 0.5,
                close + 0.5,
                close - 1.0,
                close,
                close - 0.1,
                1_000_000 + offset,
                close * 1_000_000,
                0.75,
                1,
                1.01,
                12.5,
                1.2,
                None if offset == 0 else 3.3,
                None if offset == 0 else -4.4,
                0,
            )
        )
    return bars


def success(code: str, rows: int = 0) -> ItemResult:
    return ItemResult(code, f"名称{code[-4:]}", ItemStatus.SUCCESS, rows=rows, attempts=1)


def failure(code: str, message: str = "网络接收错误") -> ItemResult:
    return ItemResult(
        code,
        f"名称{code[-4:]}",
        ItemStatus.FAILED,
        attempts=3,
        error_code="10002007",
        error_message=message,
    )


def skipped(code: str) -> ItemResult:
    return ItemResult(code, f"名称{code[-4:]}", ItemStatus.SKIPPED)
