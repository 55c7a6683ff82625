"""The unmodified baostock client against the simulator."""

from __future__ import annotations

import datetime as dt

import pytest
import simulator_wire as wire

from stockdesk.simulator.market import K_FIELDS

D = dt.date


def rows_of(result) -> list[list[str]]:
    """All rows, page after page, the way callers must (``get_data`` breaks on pandas 2)."""
    assert result.error_code == "0", result.error_msg
    rows = []
    while result.next():
        rows.append(result.get_row_data())
    return rows


def test_login_and_logout(baostock_client, simulator):
    login = baostock_client.login()
    assert (login.error_code, login.method, login.user_id) == ("0", "login", "anonymous")
    logout = baostock_client.logout()
    assert (logout.error_code, logout.method) == ("0", "logout")
    assert simulator.requests["login"] == simulator.requests["logout"] == 1


def test_refused_login(baostock_client, simulator):
    simulator.faults.login_error = "10001011"
    refused = baostock_client.login()
    assert refused.error_code == "10001011" and refused.error_msg
    simulator.faults.login_error = None
    assert baostock_client.login().error_code == "0"


def test_requests_need_a_login(simulator):
    with wire.connect((simulator.host, simulator.port)) as sock:
        sock.sendall(wire.k_request())
        assert wire.fields_of(wire.read_reply(sock))[0] == "10001001"


def test_all_stock_lists_indices_and_drops_delisted(baostock_session, simulator_market):
    day = D(2024, 3, 5)
    rows = rows_of(baostock_session.query_all_stock(day.isoformat()))
    expected = [s.code for s in simulator_market.securities if s.listed_between(day, day)]
    assert [row[0] for row in rows] == expected
    assert {"sh.000001", "sz.399001"} <= {row[0] for row in rows}
    assert all(row[1] in ("0", "1") for row in rows)
    names = {s.code: s.name for s in simulator_market.securities}
    assert all(row[2] == names[row[0]] for row in rows)
    gone = [s for s in simulator_market.stocks() if s.out_date and s.out_date < day]
    assert gone and not {s.code for s in gone} & {row[0] for row in rows}
    assert rows_of(baostock_session.query_all_stock("2024-03-09")) == []  # Saturday


def test_stock_basic(baostock_session, simulator_market):
    rows = rows_of(baostock_session.query_stock_basic())
    assert len(rows) == len(simulator_market.securities)
    one = rows_of(baostock_session.query_stock_basic(code="sh.600000"))
    stock = simulator_market.security("sh.600000")
    assert one == [["sh.600000", stock.name, stock.ipo_date.isoformat(), "", "1", "1"]]
    by_name = rows_of(baostock_session.query_stock_basic(code_name=stock.name[:3]))
    assert ["sh.600000", stock.name] in [row[:2] for row in by_name]
    gone = next(s for s in simulator_market.stocks() if s.out_date)
    row = rows_of(baostock_session.query_stock_basic(code=gone.code))[0]
    assert row[3:] == [gone.out_date.isoformat(), "1", "0"]


def test_trade_dates_mark_holidays(baostock_session):
    result = baostock_session.query_trade_dates("2024-09-28", "2024-10-09")
    assert result.fields == ["calendar_date", "is_trading_day"]
    rows = dict(rows_of(result))
    assert len(rows) == 12
    assert rows["2024-09-30"] == "1" and rows["2024-10-08"] == "1"
    assert {rows[f"2024-10-0{k}"] for k in range(1, 8)} == {"0"}


def test_k_data_plus_pages_like_the_real_service(baostock_session, simulator, simulator_market):
    result = baostock_session.query_history_k_data_plus(
        "sh.600000", ",".join(K_FIELDS), "2018-01-01", "2026-12-31"
    )
    rows = rows_of(result)
    expected = simulator_market.bars("sh.600000", D(2018, 1, 1), D(2026, 12, 31))
    assert len(expected) > 2000
    assert rows == expected
    assert len({row[0] for row in rows}) == len(rows)
    assert simulator.requests["query_history_k_data_plus"] == 2


@pytest.mark.parametrize("flag", ["1", "2", "3"])
def test_k_data_plus_adjustflag_and_field_order(baostock_session, simulator_market, flag):
    fields = "close,date,volume,adjustflag,code"
    result = baostock_session.query_history_k_data_plus(
        "sz.000001", fields, "2023-06-01", "2023-08-31", adjustflag=flag
    )
    assert result.fields == fields.split(",")
    rows = rows_of(result)
    full = simulator_market.bars("sz.000001", D(2023, 6, 1), D(2023, 8, 31), flag)
    picks = [K_FIELDS.index(name) for name in fields.split(",")]
    assert rows == [[row[k] for k in picks] for row in full]
    assert {row[3] for row in rows} == {flag}


def test_k_data_plus_errors(baostock_session):
    unknown_field = baostock_session.query_history_k_data_plus(
        "sh.600000", "date,bogus", "2024-01-01", "2024-02-01"
    )
    assert unknown_field.error_code == "10004012"
    unknown_code = baostock_session.query_history_k_data_plus(
        "sh.699999", "date,code", "2024-01-01", "2024-02-01"
    )
    assert rows_of(unknown_code) == []
    bad_code = baostock_session.query_history_k_data_plus(
        "xx.123456", "date", "2024-01-01", "2024-02-01"
    )
    assert bad_code.error_code == "10004011"


def test_per_date_equals_per_stock(baostock_session, simulator_market):
    result = baostock_session.query_daily_history_k_AStock("2024-05-08")
    assert result.fields == list(K_FIELDS)
    rows = rows_of(result)
    assert rows == simulator_market.day_bars(D(2024, 5, 8))
    assert {row[1] for row in rows} <= {s.code for s in simulator_market.stocks()}
    for row in rows[:5]:
        single = baostock_session.query_history_k_data_plus(
            row[1], ",".join(K_FIELDS), row[0], row[0]
        )
        assert rows_of(single) == [row]
    assert rows_of(baostock_session.query_daily_history_k_AStock("2024-05-01")) == []


@pytest.mark.parametrize(
    "method, index",
    [
        ("query_hs300_stocks", "hs300"),
        ("query_sz50_stocks", "sz50"),
        ("query_zz500_stocks", "zz500"),
    ],
)
def test_index_members(baostock_session, simulator_market, method, index):
    result = getattr(baostock_session, method)("2024-06-05")
    assert result.fields == ["updateDate", "code", "code_name"]
    rows = rows_of(result)
    members = simulator_market.members(index, D(2024, 6, 5))
    assert rows == [["2024-06-05", s.code, s.name] for s in members]


def test_unknown_message_type_is_an_error(simulator):
    with wire.logged_in((simulator.host, simulator.port)) as sock:
        sock.sendall(wire.request("47", "query_deposit_rate_data", "anonymous", "1", "2000"))
        reply = wire.read_reply(sock)
        assert reply[8:10] == b"04"
        assert wire.fields_of(reply)[0] == "10004020"


def test_bad_crc_is_a_message_error(simulator):
    with wire.logged_in((simulator.host, simulator.port)) as sock:
        sock.sendall(wire.k_request().replace(b"\x01d\x01", b"\x01w\x01"))
        assert wire.fields_of(wire.read_reply(sock))[0] == "10004019"
