"""The tables of docs/contracts.md ("Database") as SQLAlchemy 2.x typed models.

The database is a user interface: analysts open it with pandas, DBeaver or Excel. So the
column types are the plain ones they expect on SQLite (TEXT-like codes, ``DATE`` as ISO
text, ``REAL`` and ``INTEGER`` numbers) and every change goes through a migration in
``migrations/versions``. The models are used inside the ``db`` package only; callers get
the plain values of :mod:`stockdesk.domain.values`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    REAL,
    BigInteger,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints let Alembic's batch mode (SQLite table rebuilds) find them again.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Real = Double[float]().with_variant(REAL(), "sqlite")
"""A double everywhere; spelled ``REAL`` on SQLite, the name analysts' tools show."""

Count = BigInteger().with_variant(Integer(), "sqlite")
"""A 64-bit integer (volumes exceed 2**31); spelled ``INTEGER`` on SQLite."""

CODE = String(16)
TASK_ID = String(80)
SHORT = String(16)


class Base(DeclarativeBase):
    """The declarative base; its metadata names constraints the way migrations expect."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SecurityRow(Base):
    """``security``: what baostock's ``query_stock_basic`` says about a code."""

    __tablename__ = "security"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(64))
    type: Mapped[str | None] = mapped_column(SHORT)
    status: Mapped[str | None] = mapped_column(SHORT)
    ipo_date: Mapped[dt.date | None] = mapped_column(Date)
    out_date: Mapped[dt.date | None] = mapped_column(Date)


class DailyBarRow(Base):
    """``daily_bar``: one trading day of one stock for one adjust type.

    Written only through the raw upsert of :mod:`stockdesk.db.barstore`; the model exists
    for the schema, the migration check and typed reads.
    """

    __tablename__ = "daily_bar"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    adjustflag: Mapped[str] = mapped_column(String(1), primary_key=True)
    open: Mapped[float | None] = mapped_column(Real)
    high: Mapped[float | None] = mapped_column(Real)
    low: Mapped[float | None] = mapped_column(Real)
    close: Mapped[float | None] = mapped_column(Real)
    preclose: Mapped[float | None] = mapped_column(Real)
    volume: Mapped[int | None] = mapped_column(Count)
    amount: Mapped[float | None] = mapped_column(Real)
    turn: Mapped[float | None] = mapped_column(Real)
    tradestatus: Mapped[int | None] = mapped_column(Integer)
    pct_chg: Mapped[float | None] = mapped_column(Real)
    pe_ttm: Mapped[float | None] = mapped_column(Real)
    pb_mrq: Mapped[float | None] = mapped_column(Real)
    ps_ttm: Mapped[float | None] = mapped_column(Real)
    pcf_ncf_ttm: Mapped[float | None] = mapped_column(Real)
    is_st: Mapped[int | None] = mapped_column(Integer)


class PeriodBarRow(Base):
    """``period_bar``: one weekly (``w``) or monthly (``m``) bar of one security for one
    adjust type, dated the last trading day of its period (a period has a bar only once
    it has ended)."""

    __tablename__ = "period_bar"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    frequency: Mapped[str] = mapped_column(String(2), primary_key=True)
    adjustflag: Mapped[str] = mapped_column(String(1), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    open: Mapped[float | None] = mapped_column(Real)
    high: Mapped[float | None] = mapped_column(Real)
    low: Mapped[float | None] = mapped_column(Real)
    close: Mapped[float | None] = mapped_column(Real)
    volume: Mapped[int | None] = mapped_column(Count)
    amount: Mapped[float | None] = mapped_column(Real)
    turn: Mapped[float | None] = mapped_column(Real)
    pct_chg: Mapped[float | None] = mapped_column(Real)


class MinuteBarRow(Base):
    """``minute_bar``: one 5/15/30/60-minute bar of one stock for one adjust type.

    ``bar_time`` is baostock's ``time`` (the bar's end) as a timestamp; ``trading_day``
    its date, kept so a day's bars are counted and ranged without date functions.
    """

    __tablename__ = "minute_bar"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    frequency: Mapped[str] = mapped_column(String(2), primary_key=True)
    adjustflag: Mapped[str] = mapped_column(String(1), primary_key=True)
    bar_time: Mapped[dt.datetime] = mapped_column(DateTime, primary_key=True)
    trading_day: Mapped[dt.date] = mapped_column(Date)
    open: Mapped[float | None] = mapped_column(Real)
    high: Mapped[float | None] = mapped_column(Real)
    low: Mapped[float | None] = mapped_column(Real)
    close: Mapped[float | None] = mapped_column(Real)
    volume: Mapped[int | None] = mapped_column(Count)
    amount: Mapped[float | None] = mapped_column(Real)


class CollectionJobRow(Base):
    """``collection_job``: one job, its request, its counters and who runs it."""

    __tablename__ = "collection_job"
    __table_args__ = (Index("ix_collection_job_start_time", "start_time"),)

    id: Mapped[str] = mapped_column(TASK_ID, primary_key=True)
    status: Mapped[str] = mapped_column(SHORT)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    total_stocks: Mapped[int] = mapped_column(Integer, default=0)
    processed_stocks: Mapped[int] = mapped_column(Integer, default=0)
    success_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    collected_count: Mapped[int] = mapped_column(Count, default=0)
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)
    start_time: Mapped[dt.datetime] = mapped_column(DateTime)
    end_time: Mapped[dt.datetime | None] = mapped_column(DateTime)
    error_message: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    adjustflag: Mapped[str] = mapped_column(String(1))
    universe: Mapped[str] = mapped_column(SHORT)
    codes: Mapped[str | None] = mapped_column(Text)
    """The explicit codes, comma-separated, when ``universe`` is ``codes``."""
    resumes: Mapped[str | None] = mapped_column(TASK_ID)
    strategy: Mapped[str | None] = mapped_column(SHORT)
    owner_pid: Mapped[int | None] = mapped_column(Integer)
    owner_host: Mapped[str | None] = mapped_column(String(255))
    owner_started: Mapped[float | None] = mapped_column(Real)
    """The owner process's create time: a reused pid does not look alive."""
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    frequency: Mapped[str] = mapped_column(String(2), server_default="d")
    """baostock's bar frequency the job collects: d, w, m, 5, 15, 30 or 60."""


class JobItemRow(Base):
    """``job_item``: the outcome of one stock in one job, for one frequency (an update
    extends each frequency a stock has in the same job)."""

    __tablename__ = "job_item"
    __table_args__ = (UniqueConstraint("job_id", "code", "frequency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str] = mapped_column(
        TASK_ID, ForeignKey("collection_job.id", ondelete="CASCADE")
    )
    code: Mapped[str] = mapped_column(CODE)
    name: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(SHORT)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    frequency: Mapped[str] = mapped_column(String(2), server_default="d")


class AdjustFactorRow(Base):
    """``adjust_factor``: one ex-rights event of one stock, as ``query_adjust_factor``
    gives it. ``fore_adjust_factor`` is relative to the stock's latest stored event."""

    __tablename__ = "adjust_factor"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    divid_operate_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    fore_adjust_factor: Mapped[float | None] = mapped_column(Real)
    back_adjust_factor: Mapped[float | None] = mapped_column(Real)
    adjust_factor: Mapped[float | None] = mapped_column(Real)


class FactorCoverageRow(Base):
    """``factor_coverage``: the stock's events are all stored up to ``checked_through``."""

    __tablename__ = "factor_coverage"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    checked_through: Mapped[dt.date] = mapped_column(Date)


class BarCoverageRow(Base):
    """``bar_coverage``: what ``daily_bar`` holds of one stock and adjust type, kept in the
    same transaction as the bars."""

    __tablename__ = "bar_coverage"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    adjustflag: Mapped[str] = mapped_column(String(1), primary_key=True)
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date)
    rows: Mapped[int] = mapped_column(Integer)
    missing_days: Mapped[int | None] = mapped_column(Integer)
    """Trading days between first_day and last_day without a row; NULL while unknown."""


class FrameCoverageRow(Base):
    """``frame_coverage``: what ``period_bar`` or ``minute_bar`` holds of one stock,
    frequency and adjust type, kept in the same transaction as the bars.

    ``first_day``/``last_day`` are the first and last stored bar's (trading) day;
    ``complete_from``/``complete_through`` the days a job checked complete: every bar of
    those days is stored (NULL until a job has).
    """

    __tablename__ = "frame_coverage"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    frequency: Mapped[str] = mapped_column(String(2), primary_key=True)
    adjustflag: Mapped[str] = mapped_column(String(1), primary_key=True)
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date)
    rows: Mapped[int] = mapped_column(Count)
    complete_from: Mapped[dt.date | None] = mapped_column(Date)
    complete_through: Mapped[dt.date | None] = mapped_column(Date)


class TradeCalendarRow(Base):
    """``trade_calendar``: the exchange calendar as the server gave it."""

    __tablename__ = "trade_calendar"

    calendar_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    is_trading_day: Mapped[int] = mapped_column(Integer)


class CoveragePendingRow(Base):
    """``coverage_pending``: a job that committed rows of stocks it had not finished;
    the coverage of those stocks is recounted when the job ends (or, if its process
    died, by the next job)."""

    __tablename__ = "coverage_pending"

    job_id: Mapped[str] = mapped_column(TASK_ID, primary_key=True)
