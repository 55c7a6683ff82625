"""The market's whole history agrees with itself: what it lists, its calendar and its bars.

baostock's history starts on the exchange's first trading day (1990-12-19); the simulated
market's does too, so a collector checking each stock's rows against the calendar finds
every day it is told to expect, for any range.
"""

from __future__ import annotations

import datetime as dt

import pytest

from stockdesk.collect.checks import TradingCalendar
from stockdesk.simulator.calendar import FIRST_TRADING_DAY
from stockdesk.simulator.demo import DEMO_STOCKS
from stockdesk.simulator.market import K_FIELDS, Market

D = dt.date
COL = {name: i for i, name in enumerate(K_FIELDS)}
EVER = D(1980, 1, 1), D(2030, 12, 31)


def dates(rows: list[list[str]]) -> list[str]:
    return [row[COL["date"]] for row in rows]


@pytest.fixture(scope="module")
def demo_market() -> Market:
    """The market ``stockdesk --demo`` serves."""
    return Market(stocks=DEMO_STOCKS)


def test_the_market_begins_on_the_exchange_s_first_trading_day(simulator_market):
    assert simulator_market.first_day == FIRST_TRADING_DAY == D(1990, 12, 19)
    assert simulator_market.is_trading_day(FIRST_TRADING_DAY)
    first = min(s.ipo_date for s in simulator_market.securities)
    assert FIRST_TRADING_DAY <= first < D(1992, 1, 1)


def test_every_security_has_a_bar_for_each_trading_day_it_was_listed(simulator_market):
    """From its listing day (not from some later start of the market's data) to the end."""
    market = simulator_market
    for security in market.securities:
        listed = security.listed_between(EVER[0], market.last_day)
        expected = [day.isoformat() for day in market.trading_days(*listed)] if listed else []
        assert dates(market.bars(security.code, *EVER)) == expected, security.code


def test_the_demo_s_oldest_stock_trades_from_1990_on(demo_market):
    stock = demo_market.security("sh.600000")
    assert stock.ipo_date < D(1991, 1, 1)
    for year in (1991, 2015):
        rows = demo_market.bars("sh.600000", D(year, 1, 1), D(year, 12, 31))
        assert dates(rows) == [
            day.isoformat() for day in demo_market.trading_days(D(year, 1, 1), D(year, 12, 31))
        ]
    whole = demo_market.bars("sh.600000", *EVER)
    assert whole[0][COL["date"]] == stock.ipo_date.isoformat()
    assert all(float(row[COL["close"]]) > 0 for row in whole)


def test_a_day_in_1995_lists_and_serves_the_stocks_listed_then(simulator_market):
    day = D(1995, 6, 7)
    listed = [s.code for s in simulator_market.stocks() if s.listed_between(day, day)]
    assert listed, "some stocks were listed in 1995"
    assert [s.code for s in simulator_market.listed(day) if s.type == "1"] == listed
    rows = simulator_market.day_bars(day)
    assert [row[COL["code"]] for row in rows] == listed
    for row in rows:
        assert simulator_market.bars(row[COL["code"]], day, day) == [row]


def test_the_demo_market_gives_every_stock_every_day_of_ten_years(demo_market):
    """What ``stockdesk collect --demo --start 2015-01-01 --end 2024-12-31`` checks."""
    market = demo_market
    start, end = D(2015, 1, 1), D(2024, 12, 31)
    calendar = TradingCalendar(market.trading_days(start, end))
    last = calendar.last_day
    universe = [s for s in market.listed(last) if s.type == "1"]
    assert len(universe) > 200
    assert sum(s.ipo_date < start for s in universe) > 100
    for stock in universe:
        expected = [day.isoformat() for day in calendar.expected_days(stock, start, end)]
        assert dates(market.bars(stock.code, start, end)) == expected, stock.code


def test_a_market_starting_later_lists_earlier_securities_from_its_first_day():
    first_day = D(2018, 1, 1)
    market = Market(stocks=60, first_day=first_day)
    opened = market.trading_days(first_day, D(2018, 1, 31))[0]
    assert min(s.ipo_date for s in market.securities) == opened
    assert market.listed(D(2017, 12, 29)) == []
    assert market.day_bars(D(2017, 12, 29)) == []
    for security in market.securities:
        listed = security.listed_between(EVER[0], market.last_day)
        expected = [day.isoformat() for day in market.trading_days(*listed)] if listed else []
        assert dates(market.bars(security.code, *EVER)) == expected, security.code


def test_no_stock_is_delisted_before_2001():
    delisted = [s for s in Market(stocks=2000).stocks() if s.out_date is not None]
    assert len(delisted) > 20
    assert min(s.out_date for s in delisted) >= D(2001, 1, 1)
