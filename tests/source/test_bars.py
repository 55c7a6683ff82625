"""Wire rows to typed bars: what each field becomes, and how a bad row is refused."""

from __future__ import annotations

import pytest

from stockdesk.domain.values import BAR_COLUMNS
from stockdesk.source.bars import K_FIELDS, BarParser, MalformedRowError

ROW = [
    "2024-03-05",
    "sh.600000",
    "10.0100",
    "10.5000",
    "9.9000",
    "10.2000",
    "10.0000",
    "1234500",
    "12598765.4300",
    "3",
    "0.812345",
    "1",
    "2.000000",
    "",
    "1.234567",
    "0.500000",
    "-3.210000",
    "0",
]


def as_dict(bar):
    return dict(zip(BAR_COLUMNS, bar, strict=True))


def test_numbers_become_numbers_and_blanks_become_none():
    bar = as_dict(BarParser(K_FIELDS).parse(ROW))

    assert bar["code"] == "sh.600000" and bar["date"] == "2024-03-05"
    assert bar["close"] == 10.2 and bar["volume"] == 1234500
    assert bar["pe_ttm"] is None and bar["pcf_ncf_ttm"] == -3.21
    assert bar["tradestatus"] == 1 and bar["is_st"] == 0


def test_the_field_order_comes_from_the_reply_and_a_missing_adjustflag_is_supplied():
    fields = [name for name in reversed(K_FIELDS) if name != "adjustflag"]
    row = [
        value
        for name, value in zip(reversed(K_FIELDS), reversed(ROW), strict=True)
        if name != "adjustflag"
    ]

    bar = BarParser(fields, adjustflag="2").parse(row)

    whole = BarParser(K_FIELDS).parse(ROW)
    assert bar == (*whole[:2], "2", *whole[3:])


def test_an_integer_sent_as_a_decimal_is_read():
    row = list(ROW)
    row[K_FIELDS.index("volume")] = "1234500.0"

    assert as_dict(BarParser(K_FIELDS).parse(row))["volume"] == 1234500


@pytest.mark.parametrize("width", [17, 19])
def test_a_row_of_the_wrong_width_is_refused_with_its_field_count(width):
    rows = [ROW, [*ROW, "extra"][:width]]

    with pytest.raises(MalformedRowError, match=f"有 {width} 个字段，应为 18 个"):
        BarParser(K_FIELDS).parse_all(rows)


def test_a_value_that_is_not_a_number_is_refused_naming_it():
    row = list(ROW)
    row[K_FIELDS.index("close")] = "10.2O"

    with pytest.raises(MalformedRowError, match=r"无法解析的数值.*10\.2O"):
        BarParser(K_FIELDS).parse_all([ROW, row])


def test_a_reply_without_a_needed_field_is_refused():
    with pytest.raises(MalformedRowError, match="缺少字段：close"):
        BarParser([name for name in K_FIELDS if name != "close"])
