"""``load_bars``: unadjusted bars plus factors, adjusted on read, equal the server's."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pytest
from support.dbread import execute

from stockdesk.collect.collector import UPDATE, Collector
from stockdesk.collect.options import CollectOptions
from stockdesk.data import FactorsUnknownError, NotStoredWarning, load_bars
from stockdesk.data.bars import COLUMNS
from stockdesk.db.database import open_database
from stockdesk.domain.errors import InputError
from stockdesk.domain.values import JobRequest, JobStatus
from stockdesk.simulator.bars import K_FIELDS
from stockdesk.simulator.market import Market
from stockdesk.simulator.server import SimulatorServer

D = dt.date
START = D(2019, 1, 1)
PRICES = ("open", "high", "low", "close", "preclose")


@pytest.fixture
def stored(database_target):
    """A database of the test's store collected up to a day before an ex-rights day,
    then updated past it: (market, its path or URL, codes, the day of the new event).
    One per test (a fraction of a second): a test may change it."""
    market = Market(seed=5, stocks=30, indices=2)
    timeline = market._timeline
    code, event = None, None
    for security in market.stocks():
        days = [timeline.day(d) for d in market._profile(security).ex_days.tolist()]
        later = [day for day in days if day > D(2023, 1, 1)]
        if security.status == "1" and len(days) >= 3 and later:
            code, event = security.code, later[0]
            break
    assert code is not None
    codes = (
        code,
        *[
            s.code
            for s in market.stocks()
            if s.status == "1" and s.ipo_date < START and s.code != code
        ][:3],
    )
    market.today = event - dt.timedelta(days=3)
    with SimulatorServer(market) as server:
        database = open_database(database_target)
        collector = Collector(database, CollectOptions(server=server.address, timeout=2.0))
        job = collector.run(JobRequest(START, market.today, universe="codes", codes=codes))
        assert job.status is JobStatus.COMPLETED and job.failed_count == 0
        market.today = event + dt.timedelta(days=10)
        today = dt.date.today()
        job = collector.run(JobRequest(today, today, universe=UPDATE))
        assert job.status is JobStatus.COMPLETED and job.failed_count == 0
        database.close()
    return market, database_target, codes, event


def server_frame(market, code, flag):
    rows = market.bars(code, START, market.today, flag)
    return {
        name: np.array([float(row[K_FIELDS.index(name)]) for row in rows]) for name in PRICES
    }, [row[0] for row in rows]


@pytest.mark.parametrize(
    ("adjust", "flag"), [("qfq", "2"), ("hfq", "1"), ("none", "3"), ("2", "2"), ("1", "1")]
)
def test_adjusted_on_read_equals_what_the_server_returns(stored, adjust, flag):
    market, target, codes, event = stored
    for code in codes:
        frame = load_bars(code, start="2019-01-01", end=None, adjust=adjust, db=target)
        want, dates = server_frame(market, code, flag)
        assert [day.date().isoformat() for day in frame.index] == dates
        for name in PRICES:
            np.testing.assert_allclose(frame[name].to_numpy(), want[name], rtol=1e-6)
        assert set(frame["adjustflag"]) == {flag}
    # The new ex-rights day moved every earlier forward price.
    before = load_bars(codes[0], end=event - dt.timedelta(days=1), adjust="qfq", db=target)
    raw = load_bars(codes[0], end=event - dt.timedelta(days=1), db=target)
    assert (before["close"] < raw["close"]).all()


def test_the_frame_has_the_stored_columns_and_a_date_index(stored):
    _market, target, codes, _event = stored
    frame = load_bars(codes[1], start="2020-01-01", end="2020-12-31", adjust="qfq", db=target)
    assert list(frame.columns) == list(COLUMNS) and frame.index.name == "date"
    assert str(frame["volume"].dtype) == "Int64" and frame["close"].dtype == np.float64
    assert frame.index.min() >= np.datetime64("2020-01-01")
    assert frame.index.max() <= np.datetime64("2020-12-31")


def test_empty_range_unknown_and_unstored_codes_give_empty_frames(stored):
    market, target, codes, _event = stored
    empty = load_bars(codes[0], start="2030-01-01", db=target)
    assert empty.empty and list(empty.columns) == list(COLUMNS)
    with pytest.warns(NotStoredWarning, match="不在证券列表"):
        assert load_bars("sh.699999", db=target).empty
    unstored = next(s.code for s in market.stocks() if s.code not in codes)
    with pytest.warns(NotStoredWarning, match="还没有保存"):
        assert load_bars(unstored, adjust="hfq", db=target).empty
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_bars(codes[0], start="2030-01-01", db=target)  # stored: no warning
    with pytest.raises(InputError):
        load_bars("not a code", db=target)
    with pytest.raises(InputError):
        load_bars(codes[0], adjust="both", db=target)


def test_adjusting_without_known_factors_is_refused(stored):
    _market, target, codes, _event = stored
    database = open_database(target)
    try:
        forget = "DELETE FROM factor_coverage WHERE code = :code"
        assert execute(database, forget, code=codes[0]) == 1
    finally:
        database.close()
    with pytest.raises(FactorsUnknownError, match="stockdesk update"):
        load_bars(codes[0], adjust="qfq", db=target)
    assert not load_bars(codes[0], adjust="none", db=target).empty
