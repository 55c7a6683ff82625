"""The synthetic market: deterministic, consistent across queries, plausible."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest

from stockdesk.simulator.calendar import FIRST_TRADING_DAY, trading_days
from stockdesk.simulator.market import K_FIELDS, Market
from stockdesk.simulator.timeline import Timeline

D = dt.date
COL = {name: i for i, name in enumerate(K_FIELDS)}


def test_same_seed_same_market_different_seed_different_market(simulator_market):
    twin = Market(seed=7, stocks=60, indices=4)
    assert twin.securities == simulator_market.securities
    code = twin.stocks()[5].code
    assert twin.bars(code, D(2020, 1, 1), D(2020, 6, 30)) == simulator_market.bars(
        code, D(2020, 1, 1), D(2020, 6, 30)
    )
    assert twin.day_bars(D(2023, 5, 10)) == simulator_market.day_bars(D(2023, 5, 10))
    other = Market(seed=8, stocks=60, indices=4)
    assert other.securities != twin.securities


def test_securities_codes_names_and_listing(simulator_market):
    securities = simulator_market.securities
    codes = [s.code for s in securities]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"(sh|sz)\.\d{6}", code) for code in codes)
    assert len({s.name for s in securities}) == len(securities)
    indices = [s for s in securities if s.type == "2"]
    assert [s.code for s in indices] == ["sh.000001", "sh.000300", "sh.000905", "sz.399001"]
    stocks = simulator_market.stocks()
    assert len(stocks) == 60 and all(s.type == "1" for s in stocks)
    assert {"sh.600000", "sz.000001"} <= set(codes)
    assert any(s.ipo_date > D(2018, 1, 1) for s in stocks)
    for s in stocks:
        assert (s.status == "0") == (s.out_date is not None)
    assert simulator_market.security("sh.600000") is stocks[0]
    assert simulator_market.security("sh.699999") is None


def test_some_stocks_delist_in_a_big_market():
    delisted = [s for s in Market(stocks=1000).stocks() if s.status == "0"]
    assert 10 <= len(delisted) <= 60
    assert all(s.out_date > s.ipo_date and s.name.startswith("*ST") for s in delisted)


def test_calendar_skips_weekends_and_holidays(simulator_market):
    days = simulator_market.trading_days(D(2024, 1, 1), D(2024, 12, 31))
    assert 235 <= len(days) <= 250
    assert all(day.weekday() < 5 for day in days)
    for closed in (D(2024, 1, 1), D(2024, 2, 12), D(2024, 5, 1), D(2024, 10, 7)):
        assert closed not in days
    assert D(2024, 1, 2) in days and D(2024, 10, 8) in days


def test_calendar_knows_the_spring_festival_of_the_1990s(simulator_market):
    # 1992: Lunar New Year on Tuesday 4 February, closed from its eve for a week.
    days = simulator_market.trading_days(D(1992, 1, 31), D(1992, 2, 14))
    assert days == [
        D(1992, 1, 31),
        D(1992, 2, 10),
        D(1992, 2, 11),
        D(1992, 2, 12),
        D(1992, 2, 13),
        D(1992, 2, 14),
    ]
    assert not simulator_market.is_trading_day(D(1996, 2, 19))
    assert simulator_market.is_trading_day(D(1996, 2, 26))


@pytest.mark.parametrize(
    "first, last",
    [
        (D(1990, 12, 19), D(2026, 12, 31)),
        (D(2024, 2, 10), D(2024, 2, 10)),
        (D(2024, 2, 18), D(2025, 1, 3)),
    ],
)
def test_timeline_numbers_the_calendar_s_trading_days(first, last):
    timeline, days = Timeline(first, last), trading_days(first, last)
    assert len(timeline) == len(days)
    assert [timeline.day(i) for i in range(len(days))] == days
    assert timeline.iso(0, len(days)) == [day.isoformat() for day in days]
    for year in range(first.year - 1, last.year + 2):
        numbers = [i for i, day in enumerate(days) if day.year == year]
        lo, hi = timeline.year_span(year)
        assert list(range(lo, hi)) == numbers
    for i, day in enumerate(days[:300]):
        assert timeline.index(day) == i
    assert timeline.index(D(2024, 2, 10)) is None  # a Saturday
    assert timeline.span(first, last) == (0, len(days))
    assert timeline.span(first - dt.timedelta(days=400), first - dt.timedelta(days=1)) == (0, 0)


def test_bars_cover_listed_trading_days_only(simulator_market):
    code = "sh.600000"
    rows = simulator_market.bars(code, D(2024, 1, 1), D(2024, 12, 31))
    expected = [
        day.isoformat() for day in simulator_market.trading_days(D(2024, 1, 1), D(2024, 12, 31))
    ]
    assert [row[COL["date"]] for row in rows] == expected
    assert all(len(row) == len(K_FIELDS) and row[COL["code"]] == code for row in rows)
    late = next(s for s in simulator_market.stocks() if s.ipo_date > D(2019, 1, 1))
    assert simulator_market.bars(late.code, D(2018, 1, 1), D(2026, 12, 31))[0][0] == (
        late.ipo_date.isoformat()
    )
    assert simulator_market.bars("sh.699999", D(2024, 1, 1), D(2024, 2, 1)) == []


def test_delisted_stock_has_no_bars_after_out_date():
    market = Market(stocks=1000)
    gone = next(s for s in market.stocks() if s.out_date and s.out_date < D(2026, 1, 1))
    rows = market.bars(gone.code, D(2018, 1, 1), D(2026, 12, 31))
    assert rows[-1][COL["date"]] == gone.out_date.isoformat()
    assert all(
        row[COL["code"]] != gone.code
        for row in market.day_bars(
            market.trading_days(gone.out_date + dt.timedelta(days=1), D(2026, 12, 31))[0]
        )
    )


def test_a_bar_does_not_depend_on_the_range_asked(simulator_market):
    code = simulator_market.stocks()[3].code
    whole = simulator_market.bars(code, D(2018, 1, 1), D(2026, 12, 31))
    part = simulator_market.bars(code, D(2021, 12, 15), D(2022, 1, 20))
    start = [row[0] for row in whole].index(part[0][0])
    assert whole[start : start + len(part)] == part


def test_per_date_equals_per_stock(simulator_market):
    day = D(2022, 7, 12)
    rows = simulator_market.day_bars(day)
    listed = [s.code for s in simulator_market.stocks() if s.listed_between(day, day)]
    assert [row[COL["code"]] for row in rows] == listed
    for row in rows:
        assert simulator_market.bars(row[COL["code"]], day, day) == [row]
    assert simulator_market.day_bars(D(2022, 7, 9)) == []  # a Saturday


def test_prices_continue_across_years(simulator_market):
    rows = simulator_market.bars("sh.600000", D(2018, 1, 1), D(2026, 12, 31))
    for previous, row in itertools.pairwise(rows):
        assert row[COL["preclose"]] == previous[COL["close"]]


def test_wire_strings_look_like_baostock(simulator_market):
    rows = simulator_market.bars("sh.600000", D(2018, 1, 1), D(2026, 12, 31))
    for row in rows:
        assert re.fullmatch(r"\d+\.\d{4}", row[COL["close"]])
        assert row[COL["volume"]].isdigit() and re.fullmatch(r"\d+\.\d{4}", row[COL["amount"]])
        low, high = float(row[COL["low"]]), float(row[COL["high"]])
        assert low <= float(row[COL["open"]]) <= high and low <= float(row[COL["close"]]) <= high
        assert row[COL["adjustflag"]] == "3" and row[COL["isST"]] in ("0", "1")


def test_suspended_days_and_empty_fields():
    market = Market(stocks=200)
    suspended = [
        row
        for s in market.stocks()[:80]
        for row in market.bars(s.code, D(2023, 1, 1), D(2023, 12, 31))
        if row[COL["tradestatus"]] == "0"
    ]
    assert suspended
    for row in suspended:
        assert row[COL["volume"]] == "0" and row[COL["amount"]] == "0.0000"
        assert len({row[COL[name]] for name in ("open", "high", "low", "close", "preclose")}) == 1
        assert row[COL["turn"]] == "" and row[COL["pctChg"]] == ""
    index = market.bars("sh.000001", D(2023, 1, 1), D(2023, 1, 31))
    for row in index:
        for name in ("turn", "peTTM", "pbMRQ", "psTTM", "pcfNcfTTM"):
            assert row[COL[name]] == ""
        assert row[COL["pctChg"]] != ""
    stocks = [market.bars(s.code, D(2023, 3, 1), D(2023, 3, 1)) for s in market.stocks()]
    assert any(rows and rows[0][COL["peTTM"]] == "" for rows in stocks)


@pytest.mark.parametrize("flag", ["1", "2"])
def test_adjusted_prices_scale_raw_prices(simulator_market, flag):
    code = "sh.600000"  # backward factors start at 1 on the listing day: ask from before it
    raw = simulator_market.bars(code, D(1990, 1, 1), D(2026, 12, 31), "3")
    adjusted = simulator_market.bars(code, D(1990, 1, 1), D(2026, 12, 31), flag)
    ratios = [
        float(a[COL["close"]]) / float(r[COL["close"]]) for a, r in zip(adjusted, raw, strict=True)
    ]
    assert all(a[COL["adjustflag"]] == flag for a in adjusted)
    assert len({round(ratio, 3) for ratio in ratios}) > 1, "factors step at ex-dividend days"
    assert [a[COL["volume"]] for a in adjusted] == [r[COL["volume"]] for r in raw]
    if flag == "1":
        assert ratios[0] == pytest.approx(1) and ratios[-1] > 1
    else:
        assert ratios[-1] == pytest.approx(1) and ratios[0] < 1


def test_index_members():
    market = Market(stocks=1200)
    day = D(2024, 6, 3)
    hs300, sz50, zz500 = (market.members(name, day) for name in ("hs300", "sz50", "zz500"))
    assert (len(hs300), len(sz50), len(zz500)) == (300, 50, 500)
    assert all(s.code.startswith("sh.") for s in sz50)
    assert {s.code for s in sz50} <= {s.code for s in hs300}
    assert not {s.code for s in zz500} & {s.code for s in hs300}
    assert all(s.listed_between(day, day) for s in hs300 + zz500)
    assert market.members("hs300", day) == hs300
    with pytest.raises(ValueError):
        market.members("csi1000", day)


def test_small_market_members_take_what_exists(simulator_market):
    day = D(2024, 6, 3)
    listed = [s for s in simulator_market.stocks() if s.listed_between(day, day)]
    assert len(simulator_market.members("hs300", day)) == len(listed)
    assert len(simulator_market.members("zz500", day)) == len(listed)


def test_prices_stay_plausible_over_the_whole_history():
    """Thirty-odd years of yearly moves neither run away nor pile up at the price floor."""
    market = Market(seed=7, stocks=600, indices=0, first_day=FIRST_TRADING_DAY)
    old = [s for s in market.stocks() if s.ipo_date < D(1996, 1, 1)]
    assert len(old) >= 30
    lows, highs, year_ends = [], [], []
    for stock in old:
        rows = market.bars(stock.code, FIRST_TRADING_DAY, D(2026, 12, 31))
        lows.append(min(float(row[COL["low"]]) for row in rows))
        highs.append(max(float(row[COL["high"]]) for row in rows))
        year_ends += [
            row[COL["close"]]
            for row, after in itertools.pairwise(rows)
            if row[COL["date"]][:4] != after[COL["date"]][:4]
        ]
    assert min(lows) >= 0.5 and max(highs) <= 1000
    assert year_ends.count("1.5000") < len(year_ends) / 100, "not stuck at the floor"
