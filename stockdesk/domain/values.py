"""Plain values shared by the collector, the job log, the command line and the window.

They carry no ORM state and no Qt types, so they can cross threads and processes safely
(docs/architecture.md: signals and the job log carry plain dataclasses, never ORM rows).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, TypeAlias


class JobStatus(StrEnum):
    """Life-cycle of a collection job, stored as text in ``collection_job.status``."""

    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"


class ItemStatus(StrEnum):
    """Outcome of one stock within a job, stored in ``job_item.status``."""

    SUCCESS = "success"
    FAILED = "failed"
    SKIPPED = "skipped"


class AdjustFlag(StrEnum):
    """baostock's ``adjustflag``: 1 backward (后复权), 2 forward (前复权), 3 none (不复权)."""

    BACKWARD = "1"
    FORWARD = "2"
    NONE = "3"


UPDATE = "update"
"""The universe of an update job: every stored stock and the listings since."""
UNIVERSES = ("all", "hs300", "sz50", "zz500", "index", "codes", UPDATE)
"""Universe names a job may have; ``index`` the indices baostock lists (type 2), ``codes``
an explicit list of codes, ``update`` every stored stock (and new listings) brought to the
last trading day."""

BAR_COLUMNS = (
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
"""Column order of a :data:`Bar` tuple and of the ``daily_bar`` table (docs/contracts.md,
"Database")."""

Bar: TypeAlias = tuple[Any, ...]
"""One daily bar as a tuple in :data:`BAR_COLUMNS` order.

``date`` is ISO text ``YYYY-MM-DD``, ``adjustflag`` text, numbers are ``float`` / ``int``
and an empty baostock field is ``None``. Tuples, not objects: a market-year is over a
million of them and they go straight to the driver's ``executemany``.
"""


STOCK = "1"
INDEX = "2"
"""baostock's ``type`` of a stock and of an index."""


@dataclass(frozen=True, slots=True)
class Security:
    """A listed security as baostock describes it (``query_stock_basic``)."""

    code: str
    name: str
    type: str = STOCK
    """baostock type: 1 stock, 2 index, 3 other, 4 convertible bond, 5 ETF."""
    status: str = "1"
    """1 listed, 0 delisted."""
    ipo_date: dt.date | None = None
    out_date: dt.date | None = None

    def listed_between(self, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
        """The part of ``[start, end]`` during which the security was listed, or None."""
        first = max(start, self.ipo_date) if self.ipo_date else start
        last = min(end, self.out_date) if self.out_date else end
        return (first, last) if first <= last else None


@dataclass(frozen=True, slots=True)
class JobRequest:
    """What the user asked for: a date range, an adjust type and a universe."""

    start_date: dt.date
    end_date: dt.date
    adjustflag: AdjustFlag = AdjustFlag.NONE
    universe: str = "all"
    codes: tuple[str, ...] = ()
    """The explicit codes when ``universe == "codes"``."""
    resumes: str | None = None
    """The ID of the job this one continues (``--resume``), if any."""
    frequency: str = "d"
    """baostock's bar frequency (``domain/frequency.py``): d, w, m, 5, 15, 30 or 60."""


@dataclass(slots=True)
class JobRecord:
    """One row of ``collection_job``: the request and the counters of docs/contracts.md
    ("Job record")."""

    id: str
    status: JobStatus
    start_date: dt.date
    end_date: dt.date
    adjustflag: AdjustFlag
    universe: str
    start_time: dt.datetime
    progress: int = 0
    total_stocks: int = 0
    processed_stocks: int = 0
    success_count: int = 0
    failed_count: int = 0
    collected_count: int = 0
    skipped_count: int = 0
    end_time: dt.datetime | None = None
    error_message: str | None = None
    resumes: str | None = None
    strategy: str | None = None
    """``per-stock`` or ``per-date``: how the collector fetched the data."""
    failed_details: list[ItemResult] = field(default_factory=list)
    """Filled by the job log when a caller asks for the failed stocks."""

    @property
    def duration(self) -> dt.timedelta | None:
        """Wall time from start to end, None while the job has no end."""
        return self.end_time - self.start_time if self.end_time else None

    def copy(self) -> JobRecord:
        """An independent copy, for handing a snapshot to another thread."""
        return replace(self, failed_details=list(self.failed_details))


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The outcome of one stock in one job: one row of ``job_item``."""

    code: str
    name: str
    status: ItemStatus
    rows: int = 0
    attempts: int = 0
    error_code: str | None = None
    error_message: str | None = None
    finished_at: dt.datetime | None = None
    frequency: str = "d"
    """The bars this outcome is of: an update extends each frequency a stock has."""


@dataclass(frozen=True, slots=True)
class Progress:
    """A snapshot of a running job's counters, for progress bars and ETA."""

    job_id: str
    total: int
    processed: int
    success: int
    failed: int
    skipped: int
    rows: int
    elapsed: float
    """Seconds since the job started."""
    work_done: float | None = None
    """Share of the job done (0-1) where finished stocks understate it: fetching by date
    finishes most stocks together on the last day, while days are stored one by one."""

    @property
    def fraction(self) -> float:
        """0-1: the share of stocks finished, or :attr:`work_done` when further along."""
        by_stocks = 1.0 if self.total == 0 else self.processed / self.total
        return by_stocks if self.work_done is None else max(by_stocks, self.work_done)

    @property
    def percent(self) -> int:
        """0-100, as shown by the progress bars (integer arithmetic: 29/100 is 29%)."""
        by_stocks = 100 if self.total == 0 else self.processed * 100 // self.total
        return by_stocks if self.work_done is None else max(by_stocks, int(self.work_done * 100))

    @property
    def eta(self) -> float | None:
        """Seconds left at the average pace so far, None before any progress."""
        fraction = self.fraction
        if fraction == 0 or self.total == 0:
            return None
        return self.elapsed / fraction * (1 - fraction)


FACTOR_COLUMNS = (
    "code",
    "divid_operate_date",
    "fore_adjust_factor",
    "back_adjust_factor",
    "adjust_factor",
)
"""Column order of a :data:`Factor` tuple and of the ``adjust_factor`` table."""

Factor: TypeAlias = tuple[Any, ...]
"""One ex-rights event in :data:`FACTOR_COLUMNS` order: ``divid_operate_date`` ISO text,
the factors ``float`` (``None`` when the server left one empty)."""


@dataclass(frozen=True, slots=True)
class Coverage:
    """One row of ``bar_coverage``: what the database holds of a stock and adjust type."""

    code: str
    adjustflag: str
    first_day: dt.date
    last_day: dt.date
    rows: int
    missing_days: int | None = None
    """Trading days in ``[first_day, last_day]`` without a row; None while unknown."""


@dataclass(frozen=True, slots=True)
class FrameCoverage:
    """One row of ``frame_coverage``: what the database holds of a stock's weekly,
    monthly or minute bars of one adjust type."""

    code: str
    frequency: str
    adjustflag: str
    first_day: dt.date
    last_day: dt.date
    """The first and last stored bar's (trading) day."""
    rows: int
    complete_from: dt.date | None = None
    complete_through: dt.date | None = None
    """Every bar of the days from ``complete_from`` to ``complete_through`` is stored;
    None until a job has checked a range complete."""
