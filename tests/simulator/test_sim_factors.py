"""Adjust factors and the movable "today", through the unmodified baostock client."""

from __future__ import annotations

import datetime as dt

import pytest

from stockdesk.simulator.bars import K_FIELDS
from stockdesk.simulator.calendar import trading_days
from stockdesk.simulator.market import Market
from stockdesk.simulator.server import SimulatorServer

D = dt.date
CLOSE = K_FIELDS.index("close")


def rows_of(result) -> list[list[str]]:
    assert result.error_code == "0", result.error_msg
    rows = []
    while result.next():
        rows.append(result.get_row_data())
    return rows


@pytest.fixture
def market() -> Market:
    """A market of its own: tests here move its today."""
    return Market(seed=11, stocks=40, indices=2)


@pytest.fixture
def session(market, baostock_client, simulator):
    """The client logged in to a server over :func:`market`."""
    simulator.stop()
    with SimulatorServer(market) as server:
        import baostock.common.contants as constants

        constants.BAOSTOCK_SERVER_IP, constants.BAOSTOCK_SERVER_PORT = server.host, server.port
        assert baostock_client.login().error_code == "0"
        yield baostock_client, server


def _with_events(market: Market) -> str:
    for security in market.stocks():
        if market._profile(security).ex_days.size >= 3:
            return security.code
    raise AssertionError("no stock with three ex-rights days")


def test_adjust_factors_match_the_adjusted_prices(market, session):
    bs, _server = session
    code = _with_events(market)
    rows = rows_of(bs.query_adjust_factor(code, "1990-12-19", "2026-12-31"))
    assert rows, "events are served"
    assert [row[0] for row in rows] == [code] * len(rows)
    assert rows[-1][2] == "1.0000000000" and rows[-1][3] == rows[-1][4]
    dates = [row[1] for row in rows]
    assert dates == sorted(dates)
    # hfq = raw x B(day), qfq = raw x B(day) / B(latest), B from the latest event <= day.
    raw = market.bars(code, D(2018, 1, 1), D(2026, 12, 31), "3")
    hfq = market.bars(code, D(2018, 1, 1), D(2026, 12, 31), "1")
    qfq = market.bars(code, D(2018, 1, 1), D(2026, 12, 31), "2")
    latest = float(rows[-1][3])
    for r, h, q in zip(raw, hfq, qfq, strict=True):
        back = max((float(row[3]) for row in rows if row[1] <= r[0]), default=1.0)
        assert float(h[CLOSE]) == pytest.approx(float(r[CLOSE]) * back, rel=1e-9)
        assert float(q[CLOSE]) == pytest.approx(float(r[CLOSE]) * back / latest, rel=1e-9)


def test_the_default_start_is_not_what_is_asked(market, session):
    bs, _server = session
    code = _with_events(market)
    everything = rows_of(bs.query_adjust_factor(code, "1990-12-19", "2026-12-31"))
    since_2024 = rows_of(bs.query_adjust_factor(code, "2024-01-01", "2026-12-31"))
    assert since_2024 == [row for row in everything if row[1] >= "2024-01-01"]


def test_daily_factors_list_the_day_across_the_market(market, session):
    bs, _server = session
    code = _with_events(market)
    events = rows_of(bs.query_adjust_factor(code, "1990-12-19", "2026-12-31"))
    day = events[0][1]
    result = bs.query_daily_adjust_factor(day)
    assert result.error_code == "0", result.error_msg
    assert result.fields == [
        "code",
        "dividOperateDate",
        "foreAdjustFactor",
        "backAdjustFactor",
        "adjustFactor",
    ]
    assert events[0] in result.data
    assert all(row[1] == day for row in result.data)
    assert rows_of(bs.query_daily_adjust_factor("2024-01-06")) == []  # a Saturday


def test_moving_today_shows_new_days_listings_and_events(market, session):
    bs, _server = session
    code = _with_events(market)
    events = rows_of(bs.query_adjust_factor(code, "1990-12-19", "2026-12-31"))
    event_day = D.fromisoformat(events[1][1])
    market.today = event_day - dt.timedelta(days=1)
    before = rows_of(bs.query_adjust_factor(code, "1990-12-19", "2026-12-31"))
    assert [row[1] for row in before] == [events[0][1]]
    assert before[0][2] == "1.0000000000"  # forward factors are relative to today
    month_before = (event_day - dt.timedelta(days=30)).isoformat()
    calendar = rows_of(bs.query_trade_dates(month_before, "2026-12-31"))
    assert calendar[-1][0] <= market.today.isoformat()
    assert bs.query_daily_history_k_AStock(event_day.isoformat()).data == []
    bars = rows_of(
        bs.query_history_k_data_plus(code, "date,close", month_before, "2026-12-31", "d", "2")
    )
    assert bars[-1][0] <= market.today.isoformat()
    listed = {row[0] for row in rows_of(bs.query_stock_basic())}
    assert all(s.ipo_date <= market.today for s in market.securities if s.code in listed)

    next_listing = min(
        s.ipo_date for s in market.securities if s.ipo_date and s.ipo_date > market.today
    )
    later = max(market.today + dt.timedelta(days=400), next_listing)
    market.today = later
    after = rows_of(bs.query_adjust_factor(code, "1990-12-19", "2026-12-31"))
    assert [row[1] for row in after][:2] == [events[0][1], events[1][1]]
    new_listed = {row[0] for row in rows_of(bs.query_stock_basic())} - listed
    assert new_listed, "a stock listed after the old today appears"
    day = trading_days(event_day, event_day)[0]
    assert bs.query_daily_history_k_AStock(day.isoformat()).data


def test_stock_basic_shows_a_later_delisting_as_listed():
    market = Market(seed=3, stocks=1000, indices=0)
    gone = next(s for s in market.stocks() if s.out_date is not None)
    market.today = gone.out_date - dt.timedelta(days=1)
    from stockdesk.simulator.factors import securities_as_of

    shown = {s.code: s for s in securities_as_of(market.securities, market.today)}
    assert shown[gone.code].status == "1" and shown[gone.code].out_date is None
