"""Weekly, monthly and minute bars stored row for row as served, on both stores, and
stored again without duplicates."""

from __future__ import annotations

import datetime as dt

import pytest
from support.dbread import read_rows

from stockdesk.db.database import Database
from stockdesk.db.framestore import FrameStore
from stockdesk.domain.frequency import MINUTE_FIELDS, PERIOD_FIELDS
from stockdesk.simulator.market import Market
from stockdesk.source.frames import parse_frames

D = dt.date
MARKET = Market(seed=7, stocks=20, indices=2)
STOCK = next(s.code for s in MARKET.stocks() if s.status == "1" and s.ipo_date < D(2022, 1, 1))


def served(code: str, frequency: str, start: dt.date, end: dt.date) -> list[tuple]:
    if frequency in ("w", "m"):
        return parse_frames(
            PERIOD_FIELDS, MARKET.period_bars(code, start, end, frequency), frequency
        )
    block = MARKET.minute_bars(code, start, end, frequency)
    return parse_frames(MINUTE_FIELDS, block.rows(0, len(block)), frequency)


def stored(db: Database, table: str, order: str) -> list[tuple]:
    rows = read_rows(db, f"SELECT * FROM {table} ORDER BY {order}")
    return [tuple(str(v) if isinstance(v, dt.date) else v for v in row) for row in rows]


@pytest.mark.parametrize("frequency", ["w", "m"])
def test_period_bars_are_stored_as_served_and_again_without_duplicates(db, frequency):
    rows = served(STOCK, frequency, D(2023, 1, 1), D(2024, 6, 30))
    rows += served("sh.000001", frequency, D(2023, 1, 1), D(2024, 6, 30))
    store = FrameStore(db)
    assert store.save(frequency, rows) == len(rows) > 0
    assert stored(db, "period_bar", "code, date") == sorted(rows)
    changed = [(*row[:7], 1.0, *row[8:]) for row in sorted(rows)[:3]]
    store.save(frequency, rows)  # a re-run
    store.save(frequency, changed)  # a correction
    result = stored(db, "period_bar", "code, date")
    assert len(result) == len(rows)
    assert [row[7] for row in result[:3]] == [1.0, 1.0, 1.0]
    assert any(row[10] is None for row in result)  # an index's turnover


def test_minute_bars_keep_their_timestamp_and_trading_day(db):
    rows = served(STOCK, "5", D(2024, 1, 2), D(2024, 1, 31))
    store = FrameStore(db)
    store.save("5", rows)
    store.save("5", rows)
    result = read_rows(
        db,
        "SELECT code, frequency, adjustflag, bar_time, trading_day, close, volume "
        "FROM minute_bar ORDER BY bar_time",
    )
    assert len(result) == len(rows) == 48 * len({row[4] for row in rows})
    first = result[0]
    assert (first[0], first[1], first[2]) == (STOCK, "5", "3")
    assert str(first[3]).replace("T", " ").startswith("2024-01-02 09:35:00")
    assert str(first[4]) == "2024-01-02"
    assert [(row[5], row[6]) for row in result] == [(row[8], row[9]) for row in rows]


def test_each_frequency_and_adjust_flag_has_its_own_rows(db):
    store = FrameStore(db)
    five = served(STOCK, "5", D(2024, 1, 2), D(2024, 1, 2))
    sixty = served(STOCK, "60", D(2024, 1, 2), D(2024, 1, 2))
    store.save("5", five)
    store.save("60", sixty)
    store.save("60", [(*row[:2], "1", *row[3:]) for row in sixty])
    counts = read_rows(
        db,
        "SELECT frequency, adjustflag, count(*) FROM minute_bar "
        "GROUP BY frequency, adjustflag ORDER BY frequency, adjustflag",
    )
    assert [tuple(row) for row in counts] == [("5", "3", 48), ("60", "1", 4), ("60", "3", 4)]
