"""Ways to write daily bars into StockDesk's schema, timed on the same rows.

The bar store uses the raw driver's ``executemany`` of an upsert on plain tuples. This
measures it against SQLAlchemy Core ``insert()`` with dicts, the ORM's bulk insert and
``pandas.DataFrame.to_sql``, each into a fresh migrated database, rows written stock by
stock in transactions of ~40,000 rows. Only the raw upsert and Core re-run safely over
existing rows (the others are plain inserts, which would fail on the unique key), so the
comparison is generous to the others.

    python benchmarks/bench_writes.py --rows 200000
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from stockdesk.db.barstore import UPSERT_BARS
from stockdesk.db.database import Database, open_database
from stockdesk.db.models import DailyBarRow
from stockdesk.domain.values import BAR_COLUMNS, Bar

BATCH = 40_000
_TABLE = DailyBarRow.__table__


def make_bars(rows: int) -> list[Bar]:
    """Stock-by-stock bars, 250 days per stock, with the types the parser produces."""
    bars = []
    first = dt.date(2024, 1, 1)
    for index in range(rows):
        stock, day = divmod(index, 250)
        bars.append(
            (
                f"sh.{600000 + stock}",
                (first + dt.timedelta(days=day)).isoformat(),
                "3",
                10.0,
                10.5,
                9.5,
                10.2,
                10.1,
                1_000_000 + index,
                1.02e7,
                0.75,
                1,
                1.01,
                12.5,
                1.2,
                3.3,
                -4.4,
                0,
            )
        )
    return bars


def batches(bars: list[Bar]) -> Iterator[list[Bar]]:
    for first in range(0, len(bars), BATCH):
        yield bars[first : first + BATCH]


def as_dicts(batch: list[Bar]) -> list[dict]:
    values = [dict(zip(BAR_COLUMNS, bar, strict=True)) for bar in batch]
    for value in values:
        value["date"] = dt.date.fromisoformat(value["date"])
    return values


def raw_upsert(db: Database, bars: list[Bar]) -> None:
    for batch in batches(bars):
        with db.writing_connection() as connection:
            connection.exec_driver_sql(UPSERT_BARS, batch)


def core_upsert(db: Database, bars: list[Bar]) -> None:
    statement = sqlite_insert(_TABLE)
    statement = statement.on_conflict_do_update(
        index_elements=["code", "date", "adjustflag"],
        set_={name: statement.excluded[name] for name in BAR_COLUMNS[3:]},
    )
    for batch in batches(bars):
        with db.writing_connection() as connection:
            connection.execute(statement, as_dicts(batch))


def orm_bulk(db: Database, bars: list[Bar]) -> None:
    for batch in batches(bars):
        with Session(db.engine) as session, session.begin():
            session.execute(insert(DailyBarRow), as_dicts(batch))


def pandas_to_sql(db: Database, bars: list[Bar]) -> None:
    import pandas as pd

    for batch in batches(bars):
        frame = pd.DataFrame(batch, columns=list(BAR_COLUMNS))
        with db.engine.begin() as connection:
            frame.to_sql("daily_bar", connection, if_exists="append", index=False)


WAYS: dict[str, Callable[[Database, list[Bar]], None]] = {
    "raw driver executemany upsert (StockDesk)": raw_upsert,
    "SQLAlchemy Core insert, dicts, upsert": core_upsert,
    "ORM bulk insert": orm_bulk,
    "pandas DataFrame.to_sql": pandas_to_sql,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args(argv)
    bars = make_bars(args.rows)
    print(f"{args.rows:,} rows, {BATCH:,} per transaction")
    for name, write in WAYS.items():
        with tempfile.TemporaryDirectory() as folder:
            db = open_database(Path(folder) / "bench.db")
            began = time.perf_counter()
            write(db, bars)
            seconds = time.perf_counter() - began
            with db.engine.connect() as connection:
                stored = connection.exec_driver_sql("SELECT count(*) FROM daily_bar").scalar()
            db.close()
        print(f"{name:44} {args.rows / seconds:>10,.0f} rows/s  ({stored:,} stored)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
