"""``stockdesk status``: the coverage summary, exact and fast to read."""

from __future__ import annotations

import datetime as dt
import io
import json

from support.dbread import read_rows

from stockdesk import cli
from stockdesk.collect.collector import Collector
from stockdesk.collect.options import CollectOptions
from stockdesk.data.status import read_status
from stockdesk.db.database import open_database
from stockdesk.domain.values import JobRequest, JobStatus


def run_cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(cli.build_parser().parse_args(list(argv)), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_status_counts_stocks_rows_gaps_and_stocks_behind(simulator, database_target):
    database = open_database(database_target)
    market = simulator.market
    codes = tuple(
        s.code for s in market.stocks() if s.status == "1" and s.ipo_date < dt.date(2023, 1, 1)
    )[:4]
    collector = Collector(database, CollectOptions(server=simulator.address, timeout=2.0))
    for start, end, chosen in (
        (dt.date(2024, 1, 1), dt.date(2024, 3, 29), codes),
        (dt.date(2024, 5, 6), dt.date(2024, 5, 31), codes[:2]),
    ):
        job = collector.run(JobRequest(start, end, universe="codes", codes=chosen))
        assert job.status is JobStatus.COMPLETED
    status = read_status(database)
    ((rows,),) = read_rows(database, "SELECT count(*) FROM daily_bar WHERE adjustflag = '3'")
    database.close()
    april = len(market.trading_days(dt.date(2024, 4, 1), dt.date(2024, 5, 5)))
    assert (status.stocks, status.rows) == (4, rows)
    assert (status.first_day, status.last_day) == (dt.date(2024, 1, 2), dt.date(2024, 5, 31))
    assert status.stocks_behind == 2  # the two stocks that stop in March
    assert (status.stocks_with_gaps, status.missing_days) == (2, 2 * april)
    assert status.factors_behind == 0 and not status.coverage_pending

    code, out, err = run_cli("status", "--json", "--db", database_target)
    assert code == 0, err
    data = json.loads(out)
    assert data["stocks"] == 4 and data["last_day"] == "2024-05-31"
    assert data["stocks_behind"] == 2


def test_status_of_an_empty_database(database_targets):
    code, out, _err = run_cli("status", "--db", database_targets("new", empty=True))
    assert code == 0 and "collect" in out
