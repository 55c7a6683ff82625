"""The calendar a job knows: counting trading days and what to fetch to extend it."""

from __future__ import annotations

import datetime as dt

from stockdesk.collect.coverage import KnownCalendar
from stockdesk.collect.factors import plan_factors
from stockdesk.domain.values import Security

D = dt.date


def calendar(first: dt.date, last: dt.date) -> KnownCalendar:
    days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    return KnownCalendar((day, day.weekday() < 5) for day in days)


def test_counts_and_gaps_never_leave_a_hole():
    known = calendar(D(2024, 3, 1), D(2024, 3, 31))
    assert known.count(D(2024, 3, 4), D(2024, 3, 8)) == 5
    assert known.count(D(2024, 2, 1), D(2024, 3, 8)) is None
    assert known.gaps(D(2024, 3, 5), D(2024, 3, 20)) == []
    assert known.gaps(D(2024, 5, 1), D(2024, 5, 31)) == [(D(2024, 4, 1), D(2024, 5, 31))]
    assert known.gaps(D(2024, 1, 1), D(2024, 4, 2)) == [
        (D(2024, 1, 1), D(2024, 2, 29)),
        (D(2024, 4, 1), D(2024, 4, 2)),
    ]
    assert KnownCalendar(()).gaps(D(2024, 1, 1), D(2024, 1, 2)) == [(D(2024, 1, 1), D(2024, 1, 2))]
    assert known.last_trading_day(D(2024, 3, 31)) == D(2024, 3, 29)


def test_factor_plan_takes_the_fewest_requests():
    known = calendar(D(2020, 1, 1), D(2024, 3, 29))
    target = D(2024, 3, 29)
    stocks = [Security(f"sh.60{k:04d}", "x", ipo_date=D(2010, 1, 1)) for k in range(50)]
    # Known up to two days before: two days for all, no history.
    checked = {s.code: D(2024, 3, 27) for s in stocks}
    plan = plan_factors(stocks, checked, known, target)
    assert plan.window == [D(2024, 3, 28), D(2024, 3, 29)] and not plan.by_history
    assert set(plan.by_window) == {s.code for s in stocks}
    # One stock never seen: its history, and the window for the rest.
    del checked[stocks[0].code]
    plan = plan_factors(stocks, checked, known, target)
    assert [s.code for s, _until in plan.by_history] == [stocks[0].code]
    assert len(plan.window) == 2
    # None seen: a history each (fewer than the days since 2010).
    plan = plan_factors(stocks, {}, known, target)
    assert len(plan.by_history) == 50 and not plan.window
    # A new listing inside the window needs no history.
    new = Security("sz.300999", "new", ipo_date=D(2024, 3, 28))
    plan = plan_factors([*stocks[1:], new], checked, known, target)
    assert new.code in plan.by_window and not plan.by_history
    # Known up to the target: nothing to ask.
    assert plan_factors(stocks[1:], {s.code: target for s in stocks}, known, target).requests == 0
