"""The data view's reads: every stored security from the coverage summary, gaps from the
stored calendar, pinyin initials."""

from __future__ import annotations

import datetime as dt

from stockdesk.collect.collector import Collector
from stockdesk.collect.options import CollectOptions
from stockdesk.data import load_bars
from stockdesk.data.overview import (
    Gap,
    find_gaps,
    pinyin_initials,
    read_overview,
    trading_days,
    with_initials,
)
from stockdesk.db.coverage import CoverageStore
from stockdesk.db.database import open_database
from stockdesk.domain.values import JobRequest, JobStatus

D = dt.date


def test_overview_and_gaps_of_a_collected_database(simulator, database_target):
    database = open_database(database_target)
    market = simulator.market
    codes = tuple(
        s.code for s in market.stocks() if s.status == "1" and s.ipo_date < D(2023, 1, 1)
    )[:3]
    collector = Collector(database, CollectOptions(server=simulator.address, timeout=2.0))
    try:
        for start, end, chosen in (
            (D(2024, 1, 1), D(2024, 3, 29), codes),
            (D(2024, 5, 6), D(2024, 5, 31), codes[:1]),
        ):
            job = collector.run(JobRequest(start, end, universe="codes", codes=chosen))
            assert job.status is JobStatus.COMPLETED
        overview = read_overview(database)
        april = market.trading_days(D(2024, 4, 1), D(2024, 5, 5))
        assert [row.code for row in overview] == sorted(codes)
        names = {s.code: s.name for s in market.stocks()}
        events = {code: CoverageStore(database).factors(code) for code in codes}
        for row in overview:
            gapped = row.code == codes[0]
            assert row.name == names[row.code] and row.type == "1"
            assert row.first_day == D(2024, 1, 2)
            assert row.last_day == (D(2024, 5, 31) if gapped else D(2024, 3, 29))
            assert row.missing_days == (len(april) if gapped else 0)
            assert row.last_event == (events[row.code][-1][0] if events[row.code] else None)
            assert row.factors_through is not None and row.factors_through >= row.last_day
            assert row.initials == pinyin_initials(row.name) and len(row.initials) == 4
        bare = read_overview(database, initials=False)
        assert {row.initials for row in bare} == {""}
        assert with_initials(bare) == overview

        frame = load_bars(codes[0], db=database)
        days = [stamp.date() for stamp in frame.index]
        gaps = find_gaps(days, trading_days(database, days[0], days[-1]))
        march = market.trading_days(D(2024, 1, 1), D(2024, 3, 29))
        assert gaps == [Gap(april[0], april[-1], len(april), len(march))]
        assert days[gaps[0].before] == D(2024, 5, 6)
    finally:
        database.close()


def test_find_gaps():
    days = [D(2024, 1, d) for d in (2, 3, 4, 5, 8, 9, 10, 11, 12)]
    assert find_gaps(days, days) == []
    stored = [days[0], days[1], days[4], days[8]]
    assert find_gaps(stored, days) == [
        Gap(D(2024, 1, 4), D(2024, 1, 5), 2, 2),
        Gap(D(2024, 1, 9), D(2024, 1, 11), 3, 3),
    ]
    # Calendar days outside the stored range, or a calendar that does not reach it, are
    # not gaps.
    assert find_gaps(stored[1:3], days) == [Gap(D(2024, 1, 4), D(2024, 1, 5), 2, 1)]
    assert find_gaps(stored, []) == [] and find_gaps([], days) == []


def test_pinyin_initials():
    assert pinyin_initials("浦发银行") == "pfyh"  # 行 read as in 银行, háng
    assert pinyin_initials("*ST 平安") == "stpa"
    assert pinyin_initials("") == ""
