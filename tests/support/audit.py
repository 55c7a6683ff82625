"""Reading a StockDesk database as an outside tool would, to check it against the market.

The recovery tests and the soak both compare the database with the simulator's own
:meth:`Market.bars`. They read it with the plain driver (``sqlite3`` for a file path,
psycopg for a ``postgresql`` URL, dates as ISO text either way) and spell the
``daily_bar`` columns out as docs/contracts.md names them instead of importing the app's models:
a check that trusted the app's readers could not catch a bug shared by writer and reader,
and a renamed column must fail the check, not silently follow the rename.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

from stockdesk.simulator.bars import K_FIELDS
from stockdesk.simulator.market import Market

DB_COLUMNS = (
    "code",
    "date",
    "adjustflag",
    "open",
    "high",
    "low",
    "close",
    "preclose",
    "volume",
    "amount",
    "turn",
    "tradestatus",
    "pct_chg",
    "pe_ttm",
    "pb_mrq",
    "ps_ttm",
    "pcf_ncf_ttm",
    "is_st",
)
"""``daily_bar`` columns as docs/contracts.md names them."""

JOB_COUNTERS = (
    "processed_stocks",
    "success_count",
    "failed_count",
    "skipped_count",
    "collected_count",
)
"""``collection_job`` counters as docs/contracts.md names them."""

_FIELD_OF_COLUMN = {
    "pct_chg": "pctChg",
    "pe_ttm": "peTTM",
    "pb_mrq": "pbMRQ",
    "ps_ttm": "psTTM",
    "pcf_ncf_ttm": "pcfNcfTTM",
    "is_st": "isST",
}
_TEXT = frozenset({"code", "date", "adjustflag"})
_INTEGER = frozenset({"volume", "tradestatus", "is_st"})
_WIRE_POSITION = [K_FIELDS.index(_FIELD_OF_COLUMN.get(c, c)) for c in DB_COLUMNS]


def _value(column: str, text: str) -> object:
    """What docs/contracts.md says the database holds for a wire field: NULL for empty."""
    if text == "":
        return None
    if column in _TEXT:
        return text
    if column in _INTEGER:
        return int(text) if text.lstrip("-").isdigit() else int(float(text))
    return float(text)


def expected_rows(
    market: Market, code: str, start: dt.date, end: dt.date, adjustflag: str = "3"
) -> list[tuple[object, ...]]:
    """The market's rows of ``code`` as ``daily_bar`` should hold them, by date."""
    return [
        tuple(
            _value(column, wire[position])
            for column, position in zip(DB_COLUMNS, _WIRE_POSITION, strict=True)
        )
        for wire in market.bars(code, start, end, adjustflag)
    ]


def query(db_path: Path | str, sql: str, *args: object) -> list[tuple[Any, ...]]:
    """Run one read-only query (``?`` placeholders) on the database, a fresh connection
    each time: a SQLite file path or a PostgreSQL URL."""
    if isinstance(db_path, str) and db_path.startswith("postgresql"):
        import psycopg  # only the PostgreSQL runs need it

        conninfo = db_path.replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(conninfo, autocommit=True) as connection:
            rows = connection.execute(sql.replace("?", "%s"), args).fetchall()
        return [tuple(v.isoformat() if isinstance(v, dt.date) else v for v in row) for row in rows]
    with contextlib.closing(sqlite3.connect(db_path, timeout=10)) as connection:
        return connection.execute(sql, args).fetchall()


def stored_rows(
    db_path: Path | str, code: str, start: dt.date, end: dt.date, adjustflag: str = "3"
) -> list[tuple[object, ...]]:
    """The rows of ``code`` in the file, by date."""
    return query(
        db_path,
        f"SELECT {', '.join(DB_COLUMNS)} FROM daily_bar WHERE code = ? AND adjustflag = ?"
        " AND date BETWEEN ? AND ? ORDER BY date",
        code,
        adjustflag,
        start.isoformat(),
        end.isoformat(),
    )


def item_counts(db_path: Path | str, job_id: str) -> dict[str, int]:
    """The job's counters recomputed from its ``job_item`` rows."""
    rows = query(
        db_path,
        "SELECT status, count(*), coalesce(sum(rows), 0) FROM job_item "
        "WHERE job_id = ? GROUP BY status",
        job_id,
    )
    by_status = {status: (count, stored) for status, count, stored in rows}
    return {
        "processed_stocks": sum(count for count, _ in by_status.values()),
        "success_count": by_status.get("success", (0, 0))[0],
        "failed_count": by_status.get("failed", (0, 0))[0],
        "skipped_count": by_status.get("skipped", (0, 0))[0],
        "collected_count": by_status.get("success", (0, 0))[1],
    }
