"""``stockdesk export``: CSV (UTF-8 with BOM) and Parquet that round-trip through pandas."""

from __future__ import annotations

import datetime as dt
import io
import json

import numpy as np
import pandas as pd
import pytest

from stockdesk import cli
from stockdesk.collect.collector import Collector
from stockdesk.collect.options import CollectOptions
from stockdesk.data import load_bars
from stockdesk.db.database import open_database
from stockdesk.domain.values import JobRequest, JobStatus


def run_cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(cli.build_parser().parse_args(list(argv)), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def stored(simulator, database_target):
    """Three stocks' bars of 2024 in a database of the test's store: (its path or URL,
    the codes)."""
    database = open_database(database_target)
    codes = tuple(
        s.code
        for s in simulator.market.stocks()
        if s.status == "1" and s.ipo_date < dt.date(2023, 1, 1)
    )[:3]
    collector = Collector(database, CollectOptions(server=simulator.address, timeout=2.0))
    job = collector.run(
        JobRequest(dt.date(2024, 1, 1), dt.date(2024, 8, 30), universe="codes", codes=codes)
    )
    assert job.status is JobStatus.COMPLETED
    database.close()
    return database_target, codes


def expected(target, codes, adjust):
    frames = [load_bars(code, "2024-02-01", "2024-07-31", adjust, db=target) for code in codes]
    return pd.concat(frames)


@pytest.mark.parametrize("adjust", ["none", "qfq", "1"])
def test_csv_round_trips_through_pandas(stored, tmp_path, adjust):
    target, codes = stored
    out = tmp_path / "bars.csv"
    code, stdout, err = run_cli(
        "export",
        "--codes",
        ",".join(codes),
        "--start",
        "2024-02-01",
        "--end",
        "2024-07-31",
        "--adjust",
        adjust,
        "--out",
        str(out),
        "--db",
        target,
        "--json",
    )
    assert code == 0, err
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    back = pd.read_csv(
        out, encoding="utf-8-sig", index_col="date", parse_dates=["date"], dtype={"adjustflag": str}
    )
    want = expected(target, codes, adjust)
    assert json.loads(stdout)["rows"] == len(want) == len(back)
    assert list(back.columns) == list(want.columns)
    np.testing.assert_allclose(back["close"], want["close"], rtol=1e-12)
    assert (back.index == want.index).all() and list(back["code"]) == list(want["code"])


def test_parquet_round_trips_through_pandas(stored, tmp_path):
    target, codes = stored
    out = tmp_path / "bars.parquet"
    code, _stdout, err = run_cli(
        "export",
        "--universe",
        "all",
        "--adjust",
        "qfq",
        "--start",
        "2024-02-01",
        "--end",
        "2024-07-31",
        "--out",
        str(out),
        "--db",
        target,
    )
    assert code == 0, err
    back = pd.read_parquet(out)
    want = expected(target, codes, "qfq")
    assert len(back) == len(want)
    np.testing.assert_allclose(back["close"].to_numpy(), want["close"].to_numpy(), rtol=1e-12)
    assert list(back["volume"]) == list(want["volume"])
    assert not list(tmp_path.glob(".*.part"))


def test_export_refuses_an_unknown_suffix(stored, tmp_path):
    target, codes = stored
    code, _out, err = run_cli(
        "export", "--codes", codes[0], "--out", str(tmp_path / "a.xls"), "--db", target
    )
    assert code == 2 and ".csv" in err


def test_export_all_leaves_out_stored_indices(stored, simulator, tmp_path):
    target, codes = stored
    database = open_database(target)
    collector = Collector(database, CollectOptions(server=simulator.address, timeout=2.0))
    job = collector.run(JobRequest(dt.date(2024, 1, 1), dt.date(2024, 8, 30), universe="index"))
    assert job.success_count > 0
    database.close()
    out = tmp_path / "all.csv"
    code, _stdout, err = run_cli("export", "--universe", "all", "--out", str(out), "--db", target)
    assert code == 0, err
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert sorted(set(back["code"])) == sorted(codes)
