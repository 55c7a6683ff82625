"""Which stocks a weekly, monthly or minute job fetches, over which days, and what a
stored stock is then known complete over.

``frame_coverage`` keeps, per stock, frequency and adjust type, the days a job checked
complete (``complete_from``/``complete_through``). A job skips a stock whose days it needs
are all inside them; an update fetches each stored frequency from the day after them to
the last day the server has. A range is complete only up to the last day whose data are
out: for minute bars the last published trading day, for weekly and monthly bars also
the day before the current week or month, whose bar comes once it has ended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from stockdesk.collect.coverage import ONE_DAY, KnownCalendar
from stockdesk.domain.frequency import (
    FIRST_MINUTE_DAY,
    PERIODS,
    is_minutes,
    period_over,
    period_start,
)
from stockdesk.domain.values import FrameCoverage, ItemResult, ItemStatus, Security

Span = tuple[dt.date, dt.date]


@dataclass(frozen=True, slots=True)
class FrameTask:
    """One stock's bars of one frequency to fetch over ``[start, end]``."""

    security: Security
    start: dt.date
    end: dt.date


@dataclass(slots=True)
class FramePlan:
    """A frequency's stocks to fetch, with what the database knows of each."""

    frequency: str
    adjustflag: str
    tasks: list[FrameTask]
    stored: dict[str, FrameCoverage]
    """Each stock's ``frame_coverage`` row, kept current as the job commits."""
    cutoff: dt.date
    """The last day a stock stored now can be known complete through."""
    skipped: list[ItemResult]


def complete_cutoff(frequency: str, today: dt.date, published: dt.date | None) -> dt.date:
    """The last day whose ``frequency`` bars are all out: ``published`` (the last
    trading day the server has data of), and for weeks and months the day before the
    current one unless it is over (:func:`~stockdesk.domain.frequency.period_over`)."""
    last = published or today - ONE_DAY
    if frequency in PERIODS and not period_over(today, frequency, today):
        last = min(last, period_start(today, frequency) - ONE_DAY)
    return last


def needed_days(
    security: Security,
    frequency: str,
    start: dt.date,
    end: dt.date,
    known: KnownCalendar,
) -> Span | None:
    """The first and last trading day of ``[start, end]`` the stock must have bars of:
    listed, and from 1999-07-26 for minute bars; None when there is none."""
    if is_minutes(frequency):
        start = max(start, FIRST_MINUTE_DAY)
    listed = security.listed_between(start, end)
    days = known.between(*listed) if listed else []
    return (days[0], days[-1]) if days else None


def is_complete(stored: FrameCoverage | None, needed: Span) -> bool:
    """Whether ``stored`` is known complete over every day of ``needed``."""
    if stored is None or stored.complete_from is None or stored.complete_through is None:
        return False
    return stored.complete_from <= needed[0] and needed[1] <= stored.complete_through


def merged_span(stored: FrameCoverage | None, new: Span, known: KnownCalendar) -> Span:
    """The days known complete once ``new`` is: one span with the stored one where no
    trading day lies between them, otherwise the later of the two (an update extends
    the later; the earlier is fetched again if asked, never wrongly skipped)."""
    if stored is None or stored.complete_from is None or stored.complete_through is None:
        return new
    old = (stored.complete_from, stored.complete_through)
    first, second = sorted((old, new))
    if second[0] <= first[1] or not known.between(first[1] + ONE_DAY, second[0] - ONE_DAY):
        return first[0], max(first[1], second[1])
    return second


def plan_collect(
    frequency: str,
    adjustflag: str,
    stocks: Iterable[Security],
    span: Span,
    stored: Mapping[str, FrameCoverage],
    known: KnownCalendar,
    cutoff: dt.date,
) -> FramePlan:
    """A collect over ``span``: every stock, less those stored complete over the days
    they need (logged as skipped, without a request)."""
    tasks, skipped = [], []
    now = dt.datetime.now()
    for security in stocks:
        needed = needed_days(security, frequency, span[0], min(span[1], cutoff), known)
        if needed is not None and is_complete(stored.get(security.code), needed):
            skipped.append(
                ItemResult(
                    security.code,
                    security.name,
                    ItemStatus.SKIPPED,
                    finished_at=now,
                    frequency=frequency,
                )
            )
        else:
            tasks.append(FrameTask(security, *span))
    return FramePlan(frequency, adjustflag, tasks, dict(stored), cutoff, skipped)


def plan_updates(
    coverage: Sequence[FrameCoverage],
    securities: Mapping[str, Security],
    known: KnownCalendar,
    today: dt.date,
    published: dt.date | None,
) -> list[FramePlan]:
    """An update: each stored frequency of each stock the server still lists, from the
    day after its complete days (or its last stored day) to the last day out, where that
    holds a trading day the stock was listed on."""
    plans: dict[str, FramePlan] = {}
    for row in coverage:
        security = securities.get(row.code)
        if security is None:
            continue
        plan = plans.get(row.frequency)
        if plan is None:
            cutoff = complete_cutoff(row.frequency, today, published)
            plan = plans[row.frequency] = FramePlan(
                row.frequency, row.adjustflag, [], {}, cutoff, []
            )
        plan.stored[row.code] = row
        start = (row.complete_through or row.last_day) + ONE_DAY
        if needed_days(security, row.frequency, start, plan.cutoff, known) is not None:
            plan.tasks.append(FrameTask(security, start, plan.cutoff))
    return [plan for _, plan in sorted(plans.items()) if plan.tasks]
