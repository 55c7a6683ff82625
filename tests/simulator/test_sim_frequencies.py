"""Weekly, monthly and minute bars through the unmodified baostock client.

Each is derived from the daily bars, so the tests check that they add up to them: a week
or month aggregates its days, a day's minute bars aggregate to its daily bar exactly (in
the units the wire carries: fen, shares, fen of amount).
"""

from __future__ import annotations

import datetime as dt

import pytest

from stockdesk.domain.frequency import MINUTE_FIELDS, PERIOD_FIELDS
from stockdesk.simulator.market import Market
from stockdesk.simulator.server import SimulatorServer

D = dt.date
DAILY = "date,code,open,high,low,close,preclose,volume,amount,tradestatus"
WEEKLY = ",".join(PERIOD_FIELDS)
MINUTES = ",".join(MINUTE_FIELDS)
FIVE_MINUTE_ENDS = [
    *(f"{h:02d}{m:02d}" for h, m in (divmod(t, 60) for t in range(575, 691, 5))),
    *(f"{h:02d}{m:02d}" for h, m in (divmod(t, 60) for t in range(785, 901, 5))),
]


def rows_of(result) -> list[list[str]]:
    assert result.error_code == "0", result.error_msg
    rows = []
    while result.next():
        rows.append(result.get_row_data())
    return rows


def cents(text: str) -> int:
    return round(float(text) * 100)


@pytest.fixture
def market() -> Market:
    """A market of its own: a test here moves its today."""
    return Market(seed=7, stocks=60, indices=4)


@pytest.fixture
def bs(market, baostock_client, simulator):
    """The client logged in to a server over :func:`market`."""
    simulator.stop()
    with SimulatorServer(market) as server:
        import baostock.common.contants as constants

        constants.BAOSTOCK_SERVER_IP, constants.BAOSTOCK_SERVER_PORT = server.host, server.port
        assert baostock_client.login().error_code == "0"
        yield baostock_client


def k(bs, code, fields, start, end, frequency, adjustflag="3"):
    return bs.query_history_k_data_plus(code, fields, start, end, frequency, adjustflag)


def suspended_stock(market: Market, start: dt.date, end: dt.date) -> tuple[str, str]:
    for security in market.stocks():
        for row in market.bars(security.code, start, end):
            if row[11] == "0":
                return security.code, row[0]
    raise AssertionError("no suspended day")


@pytest.mark.parametrize("frequency", ["w", "m"])
def test_weeks_and_months_aggregate_their_days(bs, market, frequency):
    code, start, end = "sh.600000", "2023-01-01", "2024-06-30"
    periods = rows_of(k(bs, code, WEEKLY, start, end, frequency))
    days = rows_of(k(bs, code, DAILY, "2022-12-01", end, "d"))
    assert periods and all(row[1] == code and row[8] == "3" for row in periods)
    previous = "2022-12-31"
    for row in periods:
        inside = [day for day in days if previous < day[0] <= row[0]]
        traded = [day for day in inside if day[9] == "1"] or inside
        assert row[0] == inside[-1][0]  # dated the period's last trading day
        assert row[2] == traded[0][2] and row[5] == inside[-1][5]
        assert float(row[3]) == max(float(day[3]) for day in traded)
        assert float(row[4]) == min(float(day[4]) for day in traded)
        assert int(row[6]) == sum(int(day[7]) for day in inside)
        assert cents(row[7]) == sum(cents(day[8]) for day in inside)
        change = (float(row[5]) / float(inside[0][6]) - 1) * 100
        assert float(row[10]) == pytest.approx(change, abs=1e-6)
        previous = row[0]
    key = (lambda d: d.isocalendar()[:2]) if frequency == "w" else (lambda d: (d.year, d.month))
    keys = [key(D.fromisoformat(row[0])) for row in periods]
    assert len(set(keys)) == len(keys)


def test_a_week_or_month_is_served_only_once_it_has_ended(bs, market):
    market.today = D(2024, 3, 13)  # a Wednesday
    weeks = rows_of(k(bs, "sh.600000", WEEKLY, "2024-02-26", "2024-03-31", "w"))
    assert [row[0] for row in weeks] == ["2024-03-01", "2024-03-08"]
    months = rows_of(k(bs, "sh.600000", WEEKLY, "2024-01-01", "2024-03-31", "m"))
    assert [row[0] for row in months] == ["2024-01-31", "2024-02-29"]


def test_index_weeks_have_no_turnover(bs):
    rows = rows_of(k(bs, "sh.000001", WEEKLY, "2024-01-01", "2024-02-29", "w"))
    assert rows and all(row[9] == "" and row[10] != "" for row in rows)


def test_five_minute_bars_add_up_to_the_day(bs):
    code = "sh.600000"
    days = rows_of(k(bs, code, DAILY, "2024-01-01", "2024-01-31", "d"))
    bars = rows_of(k(bs, code, MINUTES, "2024-01-01", "2024-01-31", "5"))
    traded = [day for day in days if day[9] == "1"]
    assert len(bars) == 48 * len(traded)
    for n, day in enumerate(traded):
        own = bars[48 * n : 48 * (n + 1)]
        stamp = day[0].replace("-", "")
        assert [row[1] for row in own] == [f"{stamp}{end}00000" for end in FIVE_MINUTE_ENDS]
        assert {row[0] for row in own} == {day[0]} and {row[2] for row in own} == {code}
        assert own[0][3] == day[2] and own[-1][6] == day[5]
        assert max(cents(row[4]) for row in own) == cents(day[3])
        assert min(cents(row[5]) for row in own) == cents(day[4])
        assert all(cents(row[5]) <= cents(row[p]) <= cents(row[4]) for row in own for p in (3, 6))
        assert sum(int(row[7]) for row in own) == int(day[7])
        assert sum(cents(row[8]) for row in own) == cents(day[8])


@pytest.mark.parametrize(
    ("frequency", "group", "ends"),
    [
        ("15", 3, ["0945", "1130", "1315", "1500"]),
        ("30", 6, ["1000", "1130", "1330", "1500"]),
        ("60", 12, ["1030", "1130", "1400", "1500"]),
    ],
)
def test_longer_minute_bars_group_five_minute_ones(bs, frequency, group, ends):
    code, day = "sz.000001", "2024-03-05"
    five = rows_of(k(bs, code, MINUTES, day, day, "5"))
    longer = rows_of(k(bs, code, MINUTES, day, day, frequency))
    assert len(longer) == 48 // group
    times = [row[1][8:12] for row in longer]
    assert {times[0], times[-1]} <= set(ends) and "1130" in times
    for n, row in enumerate(longer):
        part = five[group * n : group * (n + 1)]
        assert row[1] == part[-1][1]
        assert (row[3], row[6]) == (part[0][3], part[-1][6])
        assert cents(row[4]) == max(cents(p[4]) for p in part)
        assert cents(row[5]) == min(cents(p[5]) for p in part)
        assert int(row[7]) == sum(int(p[7]) for p in part)
        assert cents(row[8]) == sum(cents(p[8]) for p in part)


def test_a_year_of_five_minute_bars_comes_page_by_page(bs, market):
    code = "sh.600000"
    result = k(bs, code, "date,time,close", "2023-01-01", "2023-12-31", "5")
    bars = rows_of(result)
    traded = [row for row in market.bars(code, D(2023, 1, 1), D(2023, 12, 31)) if row[11] == "1"]
    assert len(bars) == 48 * len(traded) > 2000
    assert [row[1] for row in bars] == sorted(row[1] for row in bars)


def test_no_minute_bars_on_suspended_days_before_1999_07_26_or_for_indices(bs, market):
    code, day = suspended_stock(market, D(2023, 1, 1), D(2023, 12, 31))
    assert rows_of(k(bs, code, MINUTES, day, day, "5")) == []
    assert rows_of(k(bs, "sh.600000", MINUTES, "1999-07-19", "1999-07-23", "5")) == []
    first = rows_of(k(bs, "sh.600000", MINUTES, "1999-07-19", "1999-07-26", "60"))
    assert {row[0] for row in first} == {"1999-07-26"}
    assert rows_of(k(bs, "sh.000001", MINUTES, "2024-01-01", "2024-01-31", "5")) == []


def test_adjusted_minute_bars_scale_by_the_day_s_factor(bs, market):
    code = next(s.code for s in market.stocks() if len(market._profile(s).ex_days) > 0)
    raw = rows_of(k(bs, code, "date,close", "2020-01-01", "2024-12-31", "60"))
    back = rows_of(k(bs, code, "date,close", "2020-01-01", "2024-12-31", "60", "1"))
    daily_raw = {
        r[0]: float(r[1])
        for r in rows_of(k(bs, code, "date,close", "2020-01-01", "2024-12-31", "d"))
    }
    daily_back = {
        r[0]: float(r[1])
        for r in rows_of(k(bs, code, "date,close", "2020-01-01", "2024-12-31", "d", "1"))
    }
    assert [r[0] for r in raw] == [r[0] for r in back]
    for plain, adjusted in zip(raw, back, strict=True):
        factor = daily_back[plain[0]] / daily_raw[plain[0]]
        assert float(adjusted[1]) == pytest.approx(float(plain[1]) * factor, rel=1e-9)
    assert len({round(daily_back[d] / daily_raw[d], 8) for d in daily_raw}) > 1


@pytest.mark.parametrize(
    ("fields", "frequency"),
    [
        ("date,code,close,turn", "5"),
        ("date,code,close,preclose", "w"),
        ("date,time,close", "m"),
        ("date,time,close", "d"),
    ],
)
def test_fields_a_frequency_lacks_are_refused(bs, fields, frequency):
    result = k(bs, "sh.600000", fields, "2024-01-01", "2024-01-31", frequency)
    assert result.error_code == "10004012"


def test_an_unknown_frequency_is_refused(bs):
    result = k(bs, "sh.600000", "date,close", "2024-01-01", "2024-01-31", "120")
    assert result.error_code == "10004006"
