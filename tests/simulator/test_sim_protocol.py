"""Framing, checked against the baostock client's own parsing rules."""

from __future__ import annotations

import json
import zlib

import pytest
import simulator_wire as wire

from stockdesk.simulator.handlers import _records
from stockdesk.simulator.protocol import (
    TERMINATOR,
    ProtocolError,
    parse_request,
    reply,
    response_type,
)


def client_view(data: bytes) -> str:
    """What ``baostock.util.socketutil.send_msg`` returns for ``data``."""
    header = data[:21].decode()
    kind, length = header.split("\x01")[1:]
    if kind in ("96", "99", "9B", "9D"):
        return header + zlib.decompress(data[21 : 21 + int(length)]).decode()
    return data.decode()


@pytest.mark.parametrize("kind", ["34", "96"])
def test_every_client_parser_gets_clean_fields(kind):
    fields = ["0", "success", "m", "user", "1", "2000", '{"record":[]}', "a,b"]
    text = client_view(reply(kind, fields))
    assert text[21:-1].split("\x01")[: len(fields)] == fields  # most parsers
    assert text[21:].split("\x01")[: len(fields)] == fields  # query_daily_history_k_AStock
    assert reply(kind, fields).endswith(TERMINATOR)


def test_parse_request_checks_crc():
    request = parse_request(wire.k_request().rstrip(b"\n"))
    assert request.type == "95" and request.method == "query_history_k_data_plus"
    assert request.field(4) == "sh.600000" and request.field(99) == ""
    with pytest.raises(ProtocolError):
        parse_request(wire.k_request().rstrip(b"\n").replace(b"sh.6", b"sz.6"))


def test_response_types():
    assert [response_type(t) for t in ("00", "33", "95", "98", "47")] == [
        "01",
        "34",
        "96",
        "99",
        "04",
    ]


def test_records_are_valid_json(simulator_market):
    rows = [[s.code, s.name, "", "1.5000"] for s in simulator_market.securities]
    assert json.loads(_records(rows)) == {"record": rows}
