import datetime as dt

import pytest

from stockdesk.ui.dates import default_range, last_finished_trading_day


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2024, 6, 12, 10, 0), dt.date(2024, 6, 11)),  # Wednesday morning
        (dt.datetime(2024, 6, 12, 17, 0), dt.date(2024, 6, 12)),  # Wednesday after 17:00
        (dt.datetime(2024, 6, 10, 9, 0), dt.date(2024, 6, 7)),  # Monday morning -> Friday
        (dt.datetime(2024, 6, 15, 18, 0), dt.date(2024, 6, 14)),  # Saturday evening
        (dt.datetime(2024, 6, 16, 12, 0), dt.date(2024, 6, 14)),  # Sunday
    ],
)
def test_last_finished_trading_day(now, expected):
    assert last_finished_trading_day(now) == expected


def test_default_range_starts_on_the_first_of_the_year():
    assert default_range(dt.datetime(2024, 6, 12, 10, 0)) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 6, 11),
    )


def test_default_range_early_january_is_never_empty():
    start, end = default_range(dt.datetime(2024, 1, 1, 9, 0))
    assert (start, end) == (dt.date(2023, 1, 1), dt.date(2023, 12, 29))
