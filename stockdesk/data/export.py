"""Exporting stored bars, adjusted on read, to CSV or Parquet, one stock at a time.

A stock is read, adjusted and written before the next is read, so memory holds one
stock's rows (~2,500 for ten years) whatever the number of stocks. CSV is UTF-8 with a
byte-order mark, which Excel needs to show Chinese text, written with the csv module
(no pandas: the installer leaves pandas out, README "Building the installer");
Parquet (by the file's suffix) is written one row group per batch of stocks with
fastparquet, which needs pandas.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from stockdesk.data.bars import COLUMNS, read_bars, read_rows
from stockdesk.db.database import Database
from stockdesk.domain.errors import InputError
from stockdesk.domain.values import BAR_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

PARQUET_SUFFIXES = (".parquet", ".pq")
ROW_GROUP_ROWS = 250_000
"""Rows gathered before a Parquet row group is written: ~100 stocks of ten years."""


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    stocks: int
    """Stocks that had rows in the range."""
    rows: int


def export_bars(
    database: Database,
    codes: Sequence[str],
    start: dt.date | None,
    end: dt.date | None,
    flag: str,
    out: str | os.PathLike[str],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    """Write the bars of ``codes`` to ``out`` (CSV, or Parquet by suffix).

    ``progress(done, total)`` is called after each stock. The file is written under a
    temporary name and moved into place at the end, so a cancelled export leaves no
    half file behind.

    Raises:
        InputError: ``out`` has neither a ``.csv`` nor a Parquet suffix.
        FactorsUnknownError: adjusted prices asked for a stock whose factors are missing.
    """
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in (".csv", *PARQUET_SUFFIXES):
        raise InputError(f"导出文件应以 .csv 或 .parquet 结尾：{path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.part")
    parquet = suffix in PARQUET_SUFFIXES
    writer: _CsvWriter | _ParquetWriter = (
        _ParquetWriter(partial) if parquet else _CsvWriter(partial)
    )
    stocks = rows = 0
    try:
        for done, code in enumerate(codes, 1):
            count = writer.write(database, code, start, end, flag)
            if count:
                stocks += 1
                rows += count
            if progress is not None:
                progress(done, len(codes))
        writer.close()
        os.replace(partial, path)
    finally:
        writer.close()
        partial.unlink(missing_ok=True)
    return ExportResult(path, stocks, rows)


class _CsvWriter:
    """``date`` first, then the columns of ``load_bars``; numbers as Python writes them
    (the shortest text that reads back to the same float), NULL as an empty field."""

    def __init__(self, path: Path) -> None:
        # utf-8-sig writes the byte-order mark once, at the start of the file.
        self._file = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
        self._csv = csv.writer(self._file, lineterminator="\n")
        self._csv.writerow(["date", *COLUMNS])
        self._order = [BAR_COLUMNS.index(name) for name in ("date", *COLUMNS)]

    def write(
        self, database: Database, code: str, start: dt.date | None, end: dt.date | None, flag: str
    ) -> int:
        rows = read_rows(database, code, start, end, flag)
        order = self._order
        self._csv.writerows([row[i] for i in order] for row in rows)
        return len(rows)

    def close(self) -> None:
        self._file.close()


class _ParquetWriter:
    def __init__(self, path: Path) -> None:
        try:
            import fastparquet  # noqa: F401
        except ImportError:
            raise InputError(
                "这个 StockDesk 安装包不含 Parquet 支持（需要 pandas 和 fastparquet）：请导出为 "
                ".csv，或在用 pip 安装的 StockDesk 中导出 Parquet"
            ) from None
        self._path = path
        self._pending: list[pd.DataFrame] = []
        self._rows = 0
        self._started = False
        self._closed = False

    def write(
        self, database: Database, code: str, start: dt.date | None, end: dt.date | None, flag: str
    ) -> int:
        frame = read_bars(database, code, start, end, flag)
        if len(frame):
            self._pending.append(frame)
            self._rows += len(frame)
            if self._rows >= ROW_GROUP_ROWS:
                self._flush()
        return len(frame)

    def _flush(self) -> None:
        if not self._pending:
            return
        import fastparquet
        import pandas as pd

        batch = pd.concat(self._pending)
        batch["code"] = batch["code"].astype(object)
        fastparquet.write(
            str(self._path), batch, append=self._started, compression="SNAPPY", write_index=True
        )
        self._started = True
        self._pending, self._rows = [], 0

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._flush()
        if not self._started:
            import fastparquet

            from stockdesk.data.bars import empty_frame

            empty = empty_frame()
            empty["code"] = empty["code"].astype(object)
            fastparquet.write(str(self._path), empty, write_index=True)
