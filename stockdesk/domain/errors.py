"""Errors that carry a message meant for the user, and the exit code the CLI returns.

Messages are Chinese first because the users are Chinese analysts; the window translates
the few it shows through Qt where it has its own wording.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_BAD_INPUT = 2
EXIT_JOB_RUNNING = 3

JOB_RUNNING_MESSAGE = "已有采集任务正在运行，请等待完成后再启动新任务"
DATE_FORMAT_MESSAGE = "日期格式错误，请使用 YYYY-MM-DD 格式"


class StockDeskError(Exception):
    """Base of errors whose ``str()`` can be shown to a user as it is."""

    exit_code = EXIT_FAILURES


class InputError(StockDeskError):
    """The user asked for something that cannot be done (bad date, unknown code ...).

    Attributes:
        job_id: the job logged as ``failed`` for this input, when one was (a request
            naming codes the server does not know is found only once the job runs).
    """

    exit_code = EXIT_BAD_INPUT
    job_id: str | None = None


class JobRunningError(StockDeskError):
    """Another collection job is running on the same database."""

    exit_code = EXIT_JOB_RUNNING

    def __init__(self, message: str = JOB_RUNNING_MESSAGE) -> None:
        super().__init__(message)


class DatabaseError(StockDeskError):
    """The database cannot be opened, written or migrated."""


class SourceError(StockDeskError):
    """A request to the data source failed.

    Attributes:
        code: baostock's error code (``10002007`` ...) or one of our own for timeouts.
        retryable: whether trying again may help (network trouble) or not (bad code).
    """

    def __init__(self, message: str, *, code: str = "", retryable: bool = True) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable


class LoginError(SourceError):
    """The server refused the login or could not be reached.

    At the start of a job this ends it; mid-job the source waits the server out first.

    Attributes:
        reason: the cause alone, without the advice of the full message, for the lines
            that report a wait.
    """

    def __init__(
        self, message: str, *, code: str = "", retryable: bool = True, reason: str = ""
    ) -> None:
        super().__init__(message, code=code, retryable=retryable)
        self.reason = reason or message


class ServerGoneError(StockDeskError):
    """The server went away mid-job and did not come back within the outage budget.

    Not a :class:`SourceError`: the retry loops catch those per stock or per day, and
    would record the outage against one stock and then wait it out again for the next.
    This one passes them by and ends the job as ``failed``.
    """
