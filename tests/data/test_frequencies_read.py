"""``stockdesk status`` and ``stockdesk export`` per frequency, on both stores: the
summary's numbers are what the bar tables hold, indices are counted apart from stocks,
and an export of weekly or minute bars is ``load_bars``' frame row for row (with and
without pandas)."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys

import numpy as np
import pandas as pd
import pytest
from support.dbread import execute, read_rows

from stockdesk import cli
from stockdesk.collect.collector import Collector
from stockdesk.collect.options import CollectOptions
from stockdesk.data import load_bars
from stockdesk.data.export import export_bars
from stockdesk.data.overview import read_overview
from stockdesk.data.status import read_status
from stockdesk.db.database import open_database
from stockdesk.domain.values import JobRequest, JobStatus

START, END = dt.date(2024, 3, 1), dt.date(2024, 4, 30)


def run_cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(cli.build_parser().parse_args(list(argv)), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def stored(simulator, database_target):
    """Daily bars of three stocks and an index, weekly bars of two stocks and the index,
    15-minute bars of two stocks: (target, stocks, index)."""
    market = simulator.market
    stocks = tuple(
        s.code
        for s in market.stocks()
        if s.type == "1" and s.status == "1" and s.ipo_date < dt.date(2023, 1, 1)
    )[:3]
    index = next(s.code for s in market.securities if s.type == "2" and s.status == "1")
    database = open_database(database_target)
    collector = Collector(database, CollectOptions(server=simulator.address, timeout=2.0))
    for frequency, codes in (
        ("d", (*stocks, index)),
        ("w", (*stocks[:2], index)),
        ("15", stocks[:2]),
    ):
        job = collector.run(
            JobRequest(START, END, universe="codes", codes=codes, frequency=frequency)
        )
        assert (job.status, job.failed_count) == (JobStatus.COMPLETED, 0), job
    database.close()
    return database_target, stocks, index


def counted(database, table, where=""):
    """(securities, rows, first day, last day) as the bar table itself says."""
    day = {"daily_bar": "date", "period_bar": "date", "minute_bar": "trading_day"}[table]
    ((codes, rows, first, last),) = read_rows(
        database,
        f"SELECT count(DISTINCT code), count(*), min({day}), max({day}) FROM {table} "
        f"WHERE adjustflag = '3' {where}",
    )
    return codes, rows, str(first)[:10], str(last)[:10]


def test_status_numbers_are_what_each_frequency_stores(stored):
    target, _stocks, _index = stored
    database = open_database(target)
    try:
        status = read_status(database)
        daily = counted(database, "daily_bar")
        weekly = counted(database, "period_bar", "AND frequency = 'w'")
        minutes = counted(database, "minute_bar", "AND frequency = '15'")
    finally:
        database.close()
    assert (status.stocks, status.indices) == (3, 1)
    found = {
        item.frequency: (
            item.stocks + item.indices,
            item.rows,
            str(item.first_day),
            str(item.last_day),
        )
        for item in status.frequencies
    }
    assert found == {"d": daily, "w": weekly, "15": minutes}
    by_frequency = {item.frequency: item for item in status.frequencies}
    assert (by_frequency["w"].stocks, by_frequency["w"].indices) == (2, 1)
    assert (by_frequency["15"].stocks, by_frequency["15"].indices) == (2, 0)
    assert [item.adjustflag for item in status.frequencies] == ["3", "3", "3"]

    code, out, err = run_cli("status", "--json", "--db", target)
    assert code == 0, err
    data = json.loads(out)
    assert (data["stocks"], data["indices"], data["rows"]) == (3, 1, daily[1])
    assert data["last_day"] == daily[3] and "stocks_behind" in data
    assert [
        (item["frequency"], item["rows"], item["first_day"]) for item in data["frequencies"]
    ] == [("d", daily[1], daily[2]), ("w", weekly[1], weekly[2]), ("15", minutes[1], minutes[2])]

    code, out, _err = run_cli("status", "--db", target)
    assert code == 0
    assert "15 分钟线（不复权）：股票 2 只" in out and "周线（不复权）：股票 2 只、指数 1 只" in out


@pytest.mark.parametrize(("frequency", "adjust"), [("15", "qfq"), ("w", "none")])
def test_export_of_a_frequency_is_load_bars_row_for_row(stored, tmp_path, frequency, adjust):
    target, stocks, _index = stored
    out = tmp_path / "bars.csv"
    code, stdout, err = run_cli(
        "export",
        "--universe",
        "all",
        "--frequency",
        frequency,
        "--adjust",
        adjust,
        "--out",
        str(out),
        "--db",
        target,
        "--json",
    )
    assert code == 0, err
    result = json.loads(stdout)
    want = pd.concat(
        [load_bars(c, adjust=adjust, db=target, frequency=frequency) for c in stocks[:2]]
    )
    assert (result["stocks"], result["rows"], result["frequency"]) == (2, len(want), frequency)
    index = "time" if frequency == "15" else "date"
    got = pd.read_csv(
        out, encoding="utf-8-sig", dtype={"code": str, "frequency": str, "adjustflag": str}
    )
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert list(got.columns) == [index, *want.columns]
    assert (
        got[index].tolist()
        == want.index.strftime("%Y-%m-%d %H:%M:%S" if frequency == "15" else "%Y-%m-%d").tolist()
    )
    assert got["code"].tolist() == want["code"].tolist()
    np.testing.assert_allclose(got["close"], want["close"].to_numpy(), rtol=1e-12)
    assert got["volume"].tolist() == want["volume"].tolist()

    parquet = tmp_path / "bars.parquet"
    code, _stdout, err = run_cli(
        "export",
        "--universe",
        "all",
        "--frequency",
        frequency,
        "--adjust",
        adjust,
        "--out",
        str(parquet),
        "--db",
        target,
    )
    assert code == 0, err
    back = pd.read_parquet(parquet)
    assert back.index.name == index and len(back) == len(want)
    np.testing.assert_allclose(back["close"], want["close"].to_numpy(), rtol=1e-12)


def test_the_csv_export_of_minutes_needs_no_pandas(stored, tmp_path, monkeypatch):
    """The installer leaves pandas out: the CSV of minute bars is the same file."""
    target, stocks, _index = stored
    database = open_database(target)
    try:
        with_pandas = export_bars(
            database, stocks[:2], None, None, "2", tmp_path / "a.csv", frequency="15"
        )
        monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas: ImportError
        without = export_bars(
            database, stocks[:2], None, None, "2", tmp_path / "b.csv", frequency="15"
        )
    finally:
        database.close()
    assert with_pandas.rows == without.rows > 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--frequency", "2h", "--universe", "all"), "K 线周期错误：2h"),
        (("--frequency", "5", "--codes", "sh.000001"), "指数没有分钟线数据：sh.000001"),
    ],
)
def test_bad_frequency_input_exits_2_and_writes_nothing(stored, tmp_path, argv, message):
    target, _stocks, _index = stored
    folder = tmp_path / "out"
    code, _stdout, err = run_cli("export", *argv, "--out", str(folder / "a.csv"), "--db", target)
    assert code == 2 and message in err
    assert not folder.exists()


def test_the_overview_lists_each_securitys_frequencies(stored):
    """From the summaries on either store; a stock with minute bars only is listed too."""
    target, stocks, index = stored
    database = open_database(target)
    try:
        execute(database, "DELETE FROM bar_coverage WHERE code = :code", code=stocks[1])
        rows = {row.code: row for row in read_overview(database)}
    finally:
        database.close()
    assert sorted(rows) == sorted((*stocks, index))
    assert rows[stocks[0]].frequencies == ("d", "w", "15")
    assert rows[stocks[1]].frequencies == ("w", "15") and rows[stocks[1]].rows is None
    assert rows[stocks[1]].name and rows[stocks[1]].factors_through is not None
    assert (rows[stocks[2]].frequencies, rows[index].frequencies) == (("d",), ("d", "w"))
