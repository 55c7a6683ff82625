"""Weekly, monthly and minute replies through BaostockSource and the real client, checked
before they could be stored: a whole history passes, a page lost in the middle of a
minute history never does."""

from __future__ import annotations

import datetime as dt

import pytest

from stockdesk.collect.checks import MISSING_DAYS_ERROR, DataCheckError
from stockdesk.collect.frequency_checks import (
    check_minute_bars,
    check_period_bars,
    period_dates,
)
from stockdesk.domain.errors import SourceError
from stockdesk.domain.frequency import period_end
from stockdesk.domain.values import BAR_COLUMNS
from stockdesk.simulator import FaultKind
from stockdesk.source.baostock_source import BaostockSource

D = dt.date
START, END = D(2023, 1, 1), D(2023, 12, 31)
STATUS = BAR_COLUMNS.index("tradestatus")


@pytest.fixture
def source(simulator):
    with BaostockSource(simulator.address, timeout=5.0) as session:
        yield session


def stock(market) -> str:
    return next(s.code for s in market.stocks() if s.status == "1" and s.ipo_date < START)


def traded_days(source, code: str) -> list[dt.date]:
    return [
        D.fromisoformat(bar[1]) for bar in source.daily_bars(code, START, END) if bar[STATUS] == 1
    ]


def listed_days(market, code: str, frequency: str) -> list[dt.date]:
    security = market.security(code)
    first = START.replace(day=1) if frequency == "m" else START - dt.timedelta(START.weekday())
    listed = security.listed_between(first, min(period_end(END, frequency), market.today))
    return market.trading_days(*listed) if listed else []


@pytest.mark.parametrize("frequency", ["w", "m"])
def test_a_whole_period_history_passes_and_a_missing_period_fails(source, simulator, frequency):
    code = stock(simulator.market)
    bars = source.frequency_bars(code, START, END, frequency)
    required, allowed = period_dates(
        listed_days(simulator.market, code, frequency), frequency, simulator.market.today
    )
    in_range = [day for day in required if START <= day <= END]
    assert [bar[3] for bar in bars] == [day.isoformat() for day in in_range]
    check_period_bars(bars, code, in_range, allowed)
    with pytest.raises(DataCheckError) as failure:
        check_period_bars(bars[:5] + bars[6:], code, in_range, allowed)
    assert failure.value.code == MISSING_DAYS_ERROR


def test_the_current_week_is_allowed_but_not_required():
    days = [D(2024, 3, 11), D(2024, 3, 12), D(2024, 3, 13)]
    assert period_dates(days, "w", D(2024, 3, 13)) == ([], [D(2024, 3, 13)])
    friday = [*days, D(2024, 3, 14), D(2024, 3, 15)]
    assert period_dates(friday, "w", D(2024, 3, 16)) == ([D(2024, 3, 15)], [D(2024, 3, 15)])


@pytest.mark.parametrize("frequency", ["5", "60"])
def test_a_year_of_minute_bars_passes(source, simulator, frequency):
    code = stock(simulator.market)
    bars = source.frequency_bars(code, START, END, frequency)
    days = traded_days(source, code)
    check_minute_bars(bars, code, frequency, days)
    assert len(bars) == len(days) * {"5": 48, "60": 4}[frequency]


def test_a_page_lost_in_the_middle_of_a_minute_history_is_caught(source, simulator):
    """The server answers page 3 of 6 empty: the client stops there as if the reply had
    ended, and the days after it are missing."""
    code = stock(simulator.market)
    days = traded_days(source, code)
    simulator.faults.add(FaultKind.EMPTY, method="query_history_k_data_plus", code=code, page=3)
    bars = source.frequency_bars(code, START, END, "5")
    assert 0 < len(bars) < 48 * len(days)
    with pytest.raises(DataCheckError, match="分钟线"):
        check_minute_bars(bars, code, "5", days)


def test_a_minute_page_cut_off_mid_reply_fails_in_the_source(source, simulator):
    code = stock(simulator.market)
    simulator.faults.add(
        FaultKind.CLOSE_MID_REPLY, method="query_history_k_data_plus", code=code, page=3
    )
    with pytest.raises(SourceError, match=r"分页|关闭"):
        source.frequency_bars(code, START, END, "5")


def test_bars_of_a_day_the_stock_did_not_trade_fail(source, simulator):
    code = stock(simulator.market)
    bars = source.frequency_bars(code, D(2023, 3, 1), D(2023, 3, 3), "60")
    with pytest.raises(DataCheckError, match="不是该股的交易日"):
        check_minute_bars(bars, code, "60", [D(2023, 3, 1), D(2023, 3, 2)])
