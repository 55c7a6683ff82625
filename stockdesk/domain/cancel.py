"""A job's cancel flag, whichever kind of event carries it."""

from __future__ import annotations

from typing import Protocol


class CancelFlag(Protocol):
    """Set when the user cancels: a ``threading.Event`` in the job's own thread, a
    ``multiprocessing.Event`` in a worker process. Waits on it wake at once on cancel."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...
