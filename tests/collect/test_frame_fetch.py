"""One stock's minute bars checked against the calendar: the daily request that tells
suspended days from lost pages is asked only when the reply lacks listed days, and a
page lost on a day boundary still fails the stock."""

from __future__ import annotations

import datetime as dt

from stockdesk.collect.checks import MISSING_DAYS_ERROR
from stockdesk.collect.frame_fetch import fetch_frames
from stockdesk.collect.options import CollectOptions
from stockdesk.domain.frequency import BARS_PER_DAY, MINUTE_COLUMNS
from stockdesk.domain.values import BAR_COLUMNS, ItemStatus, Security
from stockdesk.source.baostock_source import PAGE_SIZE

CODE = "sh.600000"
SECURITY = Security(CODE, "浦发银行", "1", "1", dt.date(1999, 11, 10), None)
OPTIONS = CollectOptions(retries=1)


def weekdays(first: dt.date, count: int) -> list[dt.date]:
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def minute_rows(days: list[dt.date], frequency: str) -> list[tuple[object, ...]]:
    """Rows in ``minute_bar`` order: what the check reads is code, time and day."""
    rows = []
    for day in days:
        for k in range(BARS_PER_DAY[frequency]):
            when = dt.datetime.combine(day, dt.time(9, 30)) + dt.timedelta(minutes=k)
            row = dict.fromkeys(MINUTE_COLUMNS, 1.0)
            row.update(code=CODE, bar_time=f"{when:%Y-%m-%d %H:%M:%S}.000000")
            row.update(trading_day=day.isoformat(), frequency=frequency, adjustflag="3")
            rows.append(tuple(row.values()))
    return rows


class Source:
    """Answers as a server would, with the minute reply given; counts daily requests."""

    def __init__(self, rows: list[tuple[object, ...]], traded: list[dt.date]) -> None:
        self.rows, self.traded, self.daily_requests = rows, traded, 0

    def frequency_bars(self, *_args: object) -> list[tuple[object, ...]]:
        return self.rows

    def daily_bars(self, *_args: object) -> list[tuple[object, ...]]:
        self.daily_requests += 1
        bar = dict.fromkeys(BAR_COLUMNS)
        return [
            tuple({**bar, "date": d.isoformat(), "tradestatus": 1}.values()) for d in self.traded
        ]


def fetch(source: Source, listed: list[dt.date], frequency: str = "5"):
    return fetch_frames(
        source,  # type: ignore[arg-type]
        SECURITY,
        (listed[0], listed[-1]),
        frequency,
        "3",
        (listed, listed),
        OPTIONS,
        pause=lambda _seconds: None,
        say=lambda _text: None,
    )


def test_a_reply_with_every_listed_day_is_stored_without_the_daily_request():
    listed = weekdays(dt.date(2024, 3, 4), 10)
    source = Source(minute_rows(listed, "5"), listed)
    item, rows = fetch(source, listed)
    assert (item.status, item.rows, len(rows)) == (ItemStatus.SUCCESS, 480, 480)
    assert source.daily_requests == 0


def test_a_suspended_day_is_accepted_after_the_daily_request_says_so():
    listed = weekdays(dt.date(2024, 3, 4), 10)
    traded = listed[:4] + listed[5:]
    source = Source(minute_rows(traded, "5"), traded)
    item, rows = fetch(source, listed)
    assert (item.status, len(rows)) == (ItemStatus.SUCCESS, 9 * 48)
    assert source.daily_requests == 1


def test_a_page_lost_on_a_day_boundary_fails_the_stock():
    # 15-minute bars: 16 a day, so a page of 2,000 rows ends exactly after 125 days, and
    # losing the second page leaves only whole days, each of them full.
    per_page = PAGE_SIZE // BARS_PER_DAY["15"]
    listed = weekdays(dt.date(2024, 1, 1), per_page + 40)
    source = Source(minute_rows(listed[:per_page], "15"), listed)
    item, rows = fetch(source, listed, "15")
    assert (item.status, item.error_code, rows) == (ItemStatus.FAILED, MISSING_DAYS_ERROR, [])
    assert "缺少 40 个交易日" in (item.error_message or "")
    assert source.daily_requests == 1
