"""Rows a truncated or mixed-up reply would produce are refused before they are stored."""

from __future__ import annotations

import datetime as dt

import pytest

from stockdesk.collect.checks import DataCheckError, TradingCalendar, check_bars
from stockdesk.domain.values import Security

DAYS = [dt.date(2024, 1, d) for d in (2, 3, 4, 5, 8, 9)]


def bars(code, days):
    return [(code, day.isoformat(), "3") for day in days]


def test_complete_rows_pass():
    check_bars(bars("sh.600000", DAYS), "sh.600000", DAYS)


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        (bars("sh.600000", DAYS[:3]) + bars("sz.000001", DAYS[3:]), "其他股票"),
        (bars("sh.600000", [DAYS[1], DAYS[0], *DAYS[2:]]), "顺序"),
        (bars("sh.600000", [*DAYS, dt.date(2024, 1, 10)]), "不是交易日"),
        (bars("sh.600000", DAYS[:4]), "缺少 2 个交易日"),
    ],
)
def test_broken_rows_fail_with_the_reason(rows, reason):
    with pytest.raises(DataCheckError, match=reason):
        check_bars(rows, "sh.600000", DAYS)


def test_expected_days_follow_the_listing():
    calendar = TradingCalendar(DAYS)
    late = Security("sh.600001", "新股", ipo_date=dt.date(2024, 1, 5))
    gone = Security("sh.600002", "退市", status="0", out_date=dt.date(2024, 1, 3))
    assert calendar.expected_days(late, DAYS[0], DAYS[-1]) == DAYS[3:]
    assert calendar.expected_days(gone, DAYS[0], DAYS[-1]) == DAYS[:2]
    assert calendar.expected_days(late, DAYS[0], DAYS[2]) == []
