"""The task ID (docs/contracts.md): ``historical_collection_YYYYMMDD_HHMMSS_<thread id>``."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable

TASK_ID_PATTERN = re.compile(r"^historical_collection_\d{8}_\d{6}_\d+$")
_PREFIX = "historical_collection_"


def make_task_id(
    *,
    now: dt.datetime | None = None,
    thread_id: int | None = None,
    taken: Callable[[str], bool] = lambda _id: False,
) -> tuple[str, dt.datetime]:
    """Return a task ID that ``taken`` does not know yet, and the start time it encodes.

    Two jobs started by the same thread within one second would get the same ID; the
    later one then takes the next free second, so the ID stays unique and still parses
    as a local start time (at most a few seconds late, never early).
    """
    start = (now or dt.datetime.now()).replace(microsecond=0)
    ident = threading.get_ident() if thread_id is None else thread_id
    while True:
        task_id = f"{_PREFIX}{start:%Y%m%d_%H%M%S}_{ident}"
        if not taken(task_id):
            return task_id, start
        start += dt.timedelta(seconds=1)


def is_task_id(text: str) -> bool:
    """Whether ``text`` has the shape of a task ID."""
    return bool(TASK_ID_PATTERN.match(text))
