"""The one decision of how a job is fetched, as a table: request, stocks, days, sessions."""

import datetime as dt

import pytest

from stockdesk.collect.options import MAX_SESSIONS, CollectOptions
from stockdesk.collect.strategy import (
    PER_DATE,
    PER_DATE_WORKERS,
    PER_STOCK,
    Strategy,
    choose_strategy,
    per_stock_strategy,
)
from stockdesk.domain.values import AdjustFlag, JobRequest

YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


@pytest.mark.parametrize(
    ("adjust", "stocks", "days", "sessions", "expected"),
    [
        # The whole market, unadjusted: one request a day, at least two workers.
        (AdjustFlag.NONE, 4_600, 243, 1, Strategy(PER_DATE, PER_DATE_WORKERS)),
        (AdjustFlag.NONE, 4_600, 243, 3, Strategy(PER_DATE, 3)),
        (AdjustFlag.NONE, 4_600, 243, 9, Strategy(PER_DATE, MAX_SESSIONS)),
        # Adjusted bars exist per stock only, whatever the universe.
        (AdjustFlag.FORWARD, 4_600, 243, 1, Strategy(PER_STOCK, 0)),
        (AdjustFlag.BACKWARD, 4_600, 243, 2, Strategy(PER_STOCK, 2)),
        # Too few stocks to pay for whole-market replies.
        (AdjustFlag.NONE, 299, 20, 1, Strategy(PER_STOCK, 0)),
        (AdjustFlag.NONE, 300, 20, 1, Strategy(PER_DATE, PER_DATE_WORKERS)),
        # More days than stocks: per stock sends fewer requests.
        (AdjustFlag.NONE, 400, 2_400, 1, Strategy(PER_STOCK, 0)),
        (AdjustFlag.NONE, 400, 400, 1, Strategy(PER_STOCK, 0)),
        # One stock never starts worker processes; more sessions than allowed are capped.
        (AdjustFlag.FORWARD, 1, 243, 4, Strategy(PER_STOCK, 0)),
        (AdjustFlag.FORWARD, 50, 243, 0, Strategy(PER_STOCK, 0)),
        (AdjustFlag.FORWARD, 50, 243, 99, Strategy(PER_STOCK, MAX_SESSIONS)),
    ],
)
def test_the_strategy_table(adjust, stocks, days, sessions, expected):
    request = JobRequest(*YEAR, adjustflag=adjust)
    options = CollectOptions(sessions=sessions)
    assert choose_strategy(request, stocks=stocks, days=days, options=options) == expected


def test_stocks_a_by_date_run_leaves_over_go_stock_by_stock_with_the_same_sessions():
    options = CollectOptions(sessions=2)
    assert per_stock_strategy(stocks=12, options=options) == Strategy(PER_STOCK, 2)
    assert per_stock_strategy(stocks=1, options=options) == Strategy(PER_STOCK, 0)
    assert per_stock_strategy(stocks=0, options=options) == Strategy(PER_STOCK, 0)
