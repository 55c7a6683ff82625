"""Exporting stored bars of one frequency, adjusted on read, to CSV or Parquet, one stock
at a time.

A stock is read, adjusted and written before the next is read, so memory holds one
stock's rows (~2,500 daily bars for ten years, ~117,000 five-minute ones) whatever the
number of stocks. CSV is UTF-8 with a byte-order mark, which Excel needs to show Chinese
text, written with the csv module (no pandas: the installer leaves pandas out, README
"Building the installer"); Parquet (by the file's suffix) is written one row group per
batch of stocks with fastparquet, which needs pandas.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from stockdesk.data.bars import COLUMNS, empty_frame, read_bars, read_rows
from stockdesk.data.frames import (
    frame_columns,
    frame_of_rows,
    index_name,
    read_frame_rows,
    read_frames,
)
from stockdesk.db.database import Database
from stockdesk.domain.errors import InputError
from stockdesk.domain.frequency import DAILY, check_securities
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
    frequency: str = DAILY,
    progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    """Write the ``frequency`` bars of ``codes`` to ``out`` (CSV, or Parquet by suffix).

    ``progress(done, total)`` is called after each stock. The file is written under a
    temporary name and moved into place at the end, so a cancelled export leaves no
    half file behind.

    Raises:
        InputError: ``out`` has neither a ``.csv`` nor a Parquet suffix; an unknown
            frequency; minute bars of an index code.
        FactorsUnknownError: adjusted prices asked for a stock whose factors are missing.
    """
    check_securities(frequency, codes=codes)
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in (".csv", *PARQUET_SUFFIXES):
        raise InputError(f"导出文件应以 .csv 或 .parquet 结尾：{path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.part")
    parquet = suffix in PARQUET_SUFFIXES
    writer: _CsvWriter | _ParquetWriter = (
        _ParquetWriter(partial, frequency) if parquet else _CsvWriter(partial, frequency)
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
    """``date`` (minutes: ``time``) first, then the columns of ``load_bars``; numbers as
    Python writes them (the shortest text that reads back to the same float), NULL as an
    empty field."""

    def __init__(self, path: Path, frequency: str) -> None:
        self._frequency = frequency
        # utf-8-sig writes the byte-order mark once, at the start of the file.
        self._file = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
        self._csv = csv.writer(self._file, lineterminator="\n")
        if frequency == DAILY:
            self._csv.writerow(["date", *COLUMNS])
        else:
            self._csv.writerow([index_name(frequency), *frame_columns(frequency)])
        self._order = [BAR_COLUMNS.index(name) for name in ("date", *COLUMNS)]

    def write(
        self, database: Database, code: str, start: dt.date | None, end: dt.date | None, flag: str
    ) -> int:
        if self._frequency != DAILY:
            frames = read_frame_rows(database, code, start, end, flag, self._frequency)
            self._csv.writerows(frames)
            return len(frames)
        rows = read_rows(database, code, start, end, flag)
        order = self._order
        self._csv.writerows([row[i] for i in order] for row in rows)
        return len(rows)

    def close(self) -> None:
        self._file.close()


class _ParquetWriter:
    def __init__(self, path: Path, frequency: str) -> None:
        try:
            import fastparquet  # noqa: F401
        except ImportError:
            raise InputError(
                "这个 StockDesk 安装包不含 Parquet 支持（需要 pandas 和 fastparquet）：请导出为 "
                ".csv，或在用 pip 安装的 StockDesk 中导出 Parquet"
            ) from None
        self._path = path
        self._frequency = frequency
        self._pending: list[pd.DataFrame] = []
        self._rows = 0
        self._started = False
        self._closed = False

    def write(
        self, database: Database, code: str, start: dt.date | None, end: dt.date | None, flag: str
    ) -> int:
        if self._frequency == DAILY:
            frame = read_bars(database, code, start, end, flag)
        else:
            frame = read_frames(database, code, start, end, flag, self._frequency)
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

        batch = _text_columns(pd.concat(self._pending))
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

            daily = self._frequency == DAILY
            empty = empty_frame() if daily else frame_of_rows([], self._frequency)
            fastparquet.write(str(self._path), _text_columns(empty), write_index=True)


def _text_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its text columns as Python objects, which fastparquet writes as
    UTF-8 (it has no writer for pandas' string dtype)."""
    for name in ("code", "frequency", "trading_day"):
        if name in frame:
            frame[name] = frame[name].astype(object)
    return frame
