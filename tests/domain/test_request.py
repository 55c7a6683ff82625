"""What a user types, refused with a message that names the problem or normalised."""

from __future__ import annotations

import datetime as dt

import pytest

from stockdesk.domain.codes import ParsedCodes, normalize_code, parse_codes, split_codes
from stockdesk.domain.errors import InputError
from stockdesk.domain.request import build_request, parse_date

TODAY = dt.date(2026, 11, 29)


@pytest.mark.parametrize("text", ["2024/01/01", "2024-1-1", "20240101", "2024-02-30", ""])
def test_dates_must_be_iso(text):
    with pytest.raises(InputError, match="日期格式错误，请使用 YYYY-MM-DD 格式"):
        parse_date(text)


def test_start_after_end_is_refused():
    with pytest.raises(InputError, match="晚于结束日期"):
        build_request(dt.date(2024, 2, 1), dt.date(2024, 1, 1), today=TODAY)


def test_a_future_end_becomes_today_with_a_note():
    checked = build_request(dt.date(2026, 1, 1), dt.date(2027, 1, 1), today=TODAY)
    assert checked.request.end_date == TODAY
    assert "2027-01-01" in checked.notes[0]


def test_codes_are_normalised_and_bad_ones_named():
    assert parse_codes("600000, 000001.SZ；SH600036 sh.600000") == (
        "sh.600000",
        "sz.000001",
        "sh.600036",
    )
    with pytest.raises(InputError, match="abc、12345"):
        parse_codes("600000 abc 12345")
    assert normalize_code("830799") == "bj.830799"


def test_split_codes_hands_back_what_is_not_a_code_without_refusing():
    assert split_codes("600000 abc\n 600000.SH 12345、") == ParsedCodes(
        ("sh.600000",), ("abc", "12345")
    )
    assert split_codes(["  ", "sz.000001"]) == ParsedCodes(("sz.000001",), ())
    assert split_codes(" \n ") == ParsedCodes((), ())


def test_codes_make_a_codes_universe():
    checked = build_request(dt.date(2024, 1, 1), dt.date(2024, 2, 1), codes="600000", today=TODAY)
    assert checked.request.universe == "codes"
    assert checked.request.codes == ("sh.600000",)


@pytest.mark.parametrize("frequency", ["d", "w", "m", "5", "15", "30", "60"])
def test_every_baostock_frequency_is_accepted(frequency):
    checked = build_request(
        dt.date(2024, 1, 1), dt.date(2024, 2, 1), frequency=frequency, today=TODAY
    )
    assert checked.request.frequency == frequency


@pytest.mark.parametrize(
    ("start", "universe", "codes", "frequency", "message"),
    [
        (dt.date(2024, 1, 1), "all", (), "120", "K 线周期错误：120"),
        (dt.date(2024, 1, 1), "all", (), "D", "K 线周期错误：D"),
        (dt.date(2024, 1, 1), "index", (), "5", "指数没有分钟线数据"),
        (dt.date(2024, 1, 1), "codes", "600000,sz.399006", "30", "sz.399006"),
        (dt.date(1999, 7, 23), "all", (), "60", "分钟线数据从 1999-07-26"),
    ],
)
def test_what_baostock_cannot_serve_is_refused(start, universe, codes, frequency, message):
    with pytest.raises(InputError, match=message):
        build_request(
            start,
            dt.date(2024, 2, 1),
            universe=universe,
            codes=codes,
            frequency=frequency,
            today=TODAY,
        )


def test_indices_have_weekly_bars_and_shenzhen_000_codes_are_stocks():
    index = build_request(
        dt.date(1995, 1, 1), dt.date(2024, 2, 1), universe="index", frequency="w", today=TODAY
    )
    assert index.request.universe == "index"
    stock = build_request(
        dt.date(2024, 1, 1), dt.date(2024, 2, 1), codes="sz.000001", frequency="5", today=TODAY
    )
    assert stock.request.codes == ("sz.000001",)
