"""The read side: bars adjusted on read, what the database holds, exports.

``from stockdesk.data import load_bars`` is the Python API of docs/contracts.md
("Python API"). pandas is imported only when a frame is built.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from typing import TYPE_CHECKING

from stockdesk.data.bars import FactorsUnknownError, NotStoredWarning, adjust_flag, read_bars
from stockdesk.data.frames import read_frames
from stockdesk.data.location import default_target
from stockdesk.db.database import Database, open_database
from stockdesk.domain.codes import parse_codes
from stockdesk.domain.request import parse_date

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FactorsUnknownError", "NotStoredWarning", "load_bars", "open_store"]

_OPENED: dict[str, Database] = {}
_LOCK = threading.Lock()


def open_store(db: str | os.PathLike[str] | Database | None = None) -> Database:
    """The database ``db`` names (None: ``$STOCKDESK_DB`` or the default file), opened
    and migrated once per process and kept open for the next read."""
    if isinstance(db, Database):
        return db
    target = default_target() if db is None else os.fspath(db)
    with _LOCK:
        database = _OPENED.get(target)
        if database is None:
            database = _OPENED[target] = open_database(target)
        return database


def load_bars(
    code: str,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    adjust: str = "none",
    db: str | os.PathLike[str] | Database | None = None,
    *,
    frequency: str = "d",
) -> pd.DataFrame:
    """One stock's bars as a pandas DataFrame indexed by date (minute bars: by ``time``).

    Args:
        code: ``sh.600000``, ``600000.SH``, ``600000`` ...
        start, end: ``YYYY-MM-DD`` (or dates); None: from the first or to the last day.
        adjust: ``none``, ``qfq`` (forward) or ``hfq`` (backward), or baostock's 3, 2, 1.
        db: a SQLAlchemy URL or a SQLite path; None: the default database.
        frequency: ``d`` (daily), ``w``, ``m``, or ``5``/``15``/``30``/``60`` minutes
            (:mod:`stockdesk.data.frames`; ``start``/``end`` bound the trading day).

    Returns the stored columns (snake_case) with prices adjusted from the unadjusted bars
    and the adjust factors; ``adjustflag`` says which. An unknown code or an empty range
    gives an empty frame with the same columns; a code with no stored bars also warns
    (:class:`NotStoredWarning`).

    Raises:
        InputError: a malformed code, date or adjust type.
        FactorsUnknownError: adjusted prices asked for days whose factors are not known.
    """
    (parsed,) = parse_codes(code)[:1] or (code,)
    flag = adjust_flag(adjust)
    if frequency != "d":
        return read_frames(open_store(db), parsed, _day(start), _day(end), flag, frequency)
    return read_bars(open_store(db), parsed, _day(start), _day(end), flag)


def _day(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return parse_date(value)
