"""The baostock source adapter: every request bounded, every failure a :class:`SourceError`.

baostock's client has one global socket per process (docs/baostock.md), so one
:class:`BaostockSource` is live per process at a time. After any network failure the
socket may hold half a reply, so the next request first reconnects and logs in again.
Given an :class:`OutagePolicy`, a server that cannot be logged in to again is waited for
(:mod:`~stockdesk.source.outage`), so every fetching path of a job, in this process or in
a worker, rides out an outage the same way.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from stockdesk.domain.cancel import CancelFlag
from stockdesk.domain.errors import InputError, LoginError, SourceError
from stockdesk.domain.frequency import fields_of
from stockdesk.domain.values import Bar, Factor, Security
from stockdesk.source import guarded_socket
from stockdesk.source.baostock_client import bs
from stockdesk.source.bars import K_FIELDS_PARAM, BarParser, MalformedRowError
from stockdesk.source.frames import FrameError, parse_frames
from stockdesk.source.guarded_socket import GUARD
from stockdesk.source.outage import OutagePolicy, wait_for_server

constants = bs.common.contants
context = bs.common.context

log = logging.getLogger(__name__)

PUBLIC_SERVER = f"{constants.BAOSTOCK_SERVER_IP}:{constants.BAOSTOCK_SERVER_PORT}"
PAGE_SIZE = constants.BAOSTOCK_PER_PAGE_COUNT

NETWORK_ERROR_CODES = frozenset(
    {
        "10002001",
        "10002002",
        "10002003",
        "10002004",
        "10002005",
        "10002006",
        "10002007",
        "10002008",
        "10004001",
        "10004002",
        "10004003",
        "10004019",
        "10005001",
    }
)
"""Codes after which the connection is suspect and a retry may succeed."""

LOST_CONNECTION_CODES = frozenset(
    {
        "10002001",
        "10002004",
        "10002005",
        "10002007",
        "10002008",
    }
)
"""Codes of a request cut off by the network (reset, closed, no answer), not refused."""

_MESSAGES = {
    "10001001": "尚未登录服务器",
    "10001002": "用户名或密码错误",
    "10001004": "baostock 客户端版本过旧，请升级",
    "10001005": "账号登录数已达上限",
    "10001011": "服务器拒绝访问（本机 IP 可能因请求过多被列入黑名单），请稍后再试",
    "10002001": "网络错误",
    "10002002": "无法连接服务器",
    "10002004": "接收数据时连接断开",
    "10002007": "网络接收错误",
    "10002008": "等待服务器响应超时",
    "10004001": "服务器返回的数据无法解析",
    "10004002": "服务器返回的数据无法解压",
    "10004011": "无效的证券代码",
    "10004013": "超出服务器支持的日期范围",
    "10005001": "服务器内部错误",
}

_FAILURE_CODES = {
    "timeout": "10002008",
    "closed": "10002004",
    "reset": "10002001",
    "connect": "10002002",
    "send": "10002005",
    "cancelled": "cancelled",
}

INDEX_QUERIES = {
    "hs300": bs.query_hs300_stocks,
    "sz50": bs.query_sz50_stocks,
    "zz500": bs.query_zz500_stocks,
}


def parse_server(text: str) -> tuple[str, int]:
    """``HOST:PORT`` → (host, port); raises InputError naming the problem."""
    host, _, port = text.strip().rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"服务器地址格式错误：{text}（应为 主机:端口，例如 127.0.0.1:10030）")
    return host, int(port)


def describe_error(code: str, message: str = "") -> str:
    """A user-facing sentence for a baostock error code (keeps the server's own words)."""
    known = _MESSAGES.get(code)
    if known and message and message not in known:
        return f"{known}（{message}）"
    return known or message or f"未知错误（错误码 {code}）"


class BaostockSource:
    """A logged-in session with a baostock server, used as a context manager.

    Args:
        server: ``HOST:PORT``; None means the public server.
        timeout: the longest any one request (including each page) may take, seconds.
        cancel: when set, a waiting request gives up within ~0.2 s.
        outage: how to wait for a server that went away, when a request must log in
            again (an explicit :meth:`login` never waits); None fails such requests at once.
        say: where the lines that report such a wait go.
    """

    def __init__(
        self,
        server: str | None = None,
        *,
        timeout: float = 10.0,
        cancel: CancelFlag | None = None,
        outage: OutagePolicy | None = None,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.server = server or PUBLIC_SERVER
        self._host, self._port = parse_server(self.server)
        self._timeout = timeout
        self._cancel = cancel
        self._outage = outage
        self._say = say or log.info
        self._logged_in = False
        self.requests = 0
        """Requests sent in this session, pages included, for the benchmarks."""

    def __enter__(self) -> BaostockSource:
        self.login()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.logout()

    # -- session ------------------------------------------------------------------------

    def login(self) -> None:
        """Connect and log in; raises LoginError with a message naming the server."""
        guarded_socket.install()
        GUARD.timeout = self._timeout
        GUARD.cancel = self._cancel
        constants.BAOSTOCK_SERVER_IP = self._host
        constants.BAOSTOCK_SERVER_PORT = self._port
        self._drop_socket()
        self.requests += 1
        try:
            result = bs.login()
        except Exception as error:  # the client raises on odd replies; the session is dead
            raise LoginError(
                f"登录服务器 {self.server} 失败：{error}",
                code="10001003",
                reason=f"登录失败：{error}",
            ) from None
        if result.error_code != "0":
            failure = GUARD.last_failure
            if failure is not None and failure.kind == "cancelled":
                raise LoginError("已取消", code="cancelled", retryable=False)
            if failure is not None or result.error_code in NETWORK_ERROR_CODES:
                reason = str(failure or describe_error(result.error_code, result.error_msg))
                raise LoginError(
                    f"无法连接 baostock 服务器 {self.server}：{reason}。"
                    "请检查网络，或使用演示模式 --demo",
                    code=result.error_code,
                    reason=reason,
                )
            reason = describe_error(result.error_code, result.error_msg)
            raise LoginError(
                f"服务器 {self.server} 拒绝登录：{reason}",
                code=result.error_code,
                retryable=False,
                reason=f"拒绝登录：{reason}",
            )
        self._logged_in = True

    def logout(self) -> None:
        """Log out politely when the connection is healthy; always close the socket."""
        if self._logged_in:
            try:
                bs.logout()
            except Exception:  # a dying connection must not hide the job's own outcome
                log.debug("logout failed", exc_info=True)
        self._logged_in = False
        self._drop_socket()
        GUARD.cancel = None  # a finished session's cancel must not stop the next one

    @staticmethod
    def _drop_socket() -> None:
        sock = getattr(context, "default_socket", None)
        if sock is not None:
            sock.close()
            context.default_socket = None

    # -- queries ------------------------------------------------------------------------

    def trade_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The exchange's trading days in ``[start, end]``."""
        return [day for day, is_open in self.calendar(start, end) if is_open]

    def calendar(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, bool]]:
        """Every calendar day the server lists in ``[start, end]``, and whether the
        exchange trades on it."""
        rows = self._rows(bs.query_trade_dates, start.isoformat(), end.isoformat())
        return [(dt.date.fromisoformat(day), is_open == "1") for day, is_open, *_ in rows]

    def has_day_data(self, day: dt.date, probe: str = "sh.000001") -> bool:
        """Whether the server has published ``day``'s bars yet, asked with one tiny
        request (the Shanghai composite's bar of that day)."""
        rows = self._rows(
            bs.query_history_k_data_plus,
            probe,
            "date",
            start_date=day.isoformat(),
            end_date=day.isoformat(),
            frequency="d",
            adjustflag="3",
        )
        return bool(rows)

    def adjust_factors(self, code: str, start: dt.date, end: dt.date) -> list[Factor]:
        """One stock's ex-rights events in ``[start, end]``, every page or an error
        (a reply cut short raises, it is never taken as complete)."""
        fields, rows = self._fields_and_rows(
            bs.query_adjust_factor, code, start.isoformat(), end.isoformat()
        )
        return _factors(fields, rows)

    def day_adjust_factors(self, day: dt.date) -> list[Factor]:
        """Every stock's ex-rights event on ``day``, in one request."""
        fields, rows = self._fields_and_rows(bs.query_daily_adjust_factor, day.isoformat())
        return _factors(fields, rows)

    def securities(self) -> list[Security]:
        """Every security baostock knows, listed or not (``query_stock_basic``)."""
        fields, rows = self._fields_and_rows(bs.query_stock_basic)
        at = {name: index for index, name in enumerate(fields)}
        return [
            Security(
                code=row[at["code"]],
                name=row[at["code_name"]],
                type=row[at["type"]],
                status=row[at["status"]],
                ipo_date=_date_or_none(row[at["ipoDate"]]),
                out_date=_date_or_none(row[at["outDate"]]),
            )
            for row in rows
        ]

    def index_members(self, index: str, day: dt.date) -> list[str]:
        """Codes in the ``hs300`` / ``sz50`` / ``zz500`` index on ``day``."""
        fields, rows = self._fields_and_rows(INDEX_QUERIES[index], day.isoformat())
        position = fields.index("code")
        return [row[position] for row in rows]

    def daily_bars(
        self, code: str, start: dt.date, end: dt.date, adjustflag: str = "3"
    ) -> list[Bar]:
        """One stock's daily bars in ``[start, end]``, every page of them or an error."""
        fields, rows = self._fields_and_rows(
            bs.query_history_k_data_plus,
            code,
            K_FIELDS_PARAM,
            start_date=start.isoformat(),
            end_date=end.isoformat(),
            frequency="d",
            adjustflag=adjustflag,
        )
        return self._parse(fields, rows, adjustflag)

    def frequency_bars(
        self, code: str, start: dt.date, end: dt.date, frequency: str, adjustflag: str = "3"
    ) -> list[tuple[Any, ...]]:
        """One security's weekly, monthly or minute bars in ``[start, end]`` as tuples of
        :func:`~stockdesk.domain.frequency.columns_of`, every page of them or an error."""
        fields, rows = self._fields_and_rows(
            bs.query_history_k_data_plus,
            code,
            ",".join(fields_of(frequency)),
            start_date=start.isoformat(),
            end_date=end.isoformat(),
            frequency=frequency,
            adjustflag=adjustflag,
        )
        if not rows:
            return []
        try:
            return parse_frames(fields, rows, frequency)
        except FrameError as error:
            raise SourceError(f"服务器返回的数据有误：{error}", code="10004001") from None

    def day_bars(self, day: dt.date) -> list[Bar]:
        """Every A-share stock's unadjusted bar for one trading day, in one request."""
        fields, rows = self._fields_and_rows(bs.query_daily_history_k_AStock, day.isoformat())
        return self._parse(fields, rows, "3")

    # -- plumbing -----------------------------------------------------------------------

    @staticmethod
    def _parse(fields: list[str], rows: list[list[str]], adjustflag: str) -> list[Bar]:
        if not rows:
            return []
        try:
            return BarParser(fields, adjustflag=adjustflag).parse_all(rows)
        except MalformedRowError as error:
            raise SourceError(f"服务器返回的数据有误：{error}", code="10004001") from None

    def _rows(self, query: Any, *args: Any, **kwargs: Any) -> list[list[str]]:
        return self._fields_and_rows(query, *args, **kwargs)[1]

    def _fields_and_rows(
        self, query: Any, *args: Any, **kwargs: Any
    ) -> tuple[list[str], list[list[str]]]:
        """Run one query and read all its pages, or raise SourceError.

        A request the network cut off is followed at once by a new login: when that finds
        the server away and waits until it is back, the request is sent once more, so
        the outage is not counted against the stock as a failed attempt.
        """
        self._log_in_again()
        try:
            return self._ask(query, *args, **kwargs)
        except SourceError as failure:
            cut_off = self._outage is not None and failure.code in LOST_CONNECTION_CODES
            if not cut_off or not self._log_in_again():
                raise
        return self._ask(query, *args, **kwargs)

    def _log_in_again(self) -> bool:
        """Log in if the session was lost; True when the server was away and came back.

        Raises:
            ServerGoneError: the server stayed away longer than the outage policy allows.
            LoginError: no policy, or cancelled.
        """
        if self._logged_in:
            return False
        try:
            self.login()
        except LoginError as failure:
            if self._outage is None or failure.code == "cancelled":
                raise
            wait_for_server(
                self.login,
                failure,
                server=self.server,
                policy=self._outage,
                cancel=self._cancel,
                say=self._say,
            )
            return True
        return False

    def _ask(self, query: Any, *args: Any, **kwargs: Any) -> tuple[list[str], list[list[str]]]:
        """Send one query on the live session and read every page of its reply.

        A failure while fetching page 2 or later leaves the client holding the earlier
        pages with ``error_code == "0"``; :func:`_read_pages` catches that case, so a
        truncated history is never mistaken for a complete one.
        """
        self.requests += 1
        try:
            result = query(*args, **kwargs)
            if result is None:
                raise SourceError("客户端拒绝了请求参数", code="10004006", retryable=False)
            rows = self._read_pages(result)
        except SourceError as error:
            self._after_failure(error)
            raise
        except Exception as error:  # odd replies make the client raise anything
            failure = SourceError(f"服务器返回的数据无法解析：{error!r}", code="10004001")
            self._after_failure(failure)
            raise failure from None
        return list(result.fields), rows

    def _read_pages(self, result: Any) -> list[list[str]]:
        """Every row of every page, taken a page at a time.

        The client's ``next()`` / ``get_row_data()`` cost two Python calls per row (~14 ms
        for a per-date reply); its ``data`` already holds the page's rows, so they are
        taken whole and ``next()`` is called only where a page ends, to fetch the next
        one exactly as the client would.
        """
        self._raise_for(result)
        rows: list[list[str]] = list(result.data)
        result.cur_row_num = len(result.data)
        while len(result.data) == PAGE_SIZE:
            self.requests += 1  # the client asks for the next page
            if not result.next():
                break
            rows.extend(result.data)
            result.cur_row_num = len(result.data)
        self._raise_for(result)
        if len(result.data) == PAGE_SIZE and result.cur_row_num == PAGE_SIZE:
            failure = GUARD.last_failure
            reason = f"：{failure}" if failure else ""
            raise SourceError(f"分页数据在中途中断{reason}", code="10002007")
        return rows

    def _raise_for(self, result: Any) -> None:
        if result.error_code == "0":
            return
        failure = GUARD.last_failure
        if failure is not None:
            code = _FAILURE_CODES.get(failure.kind, result.error_code)
            raise SourceError(str(failure), code=code, retryable=failure.kind != "cancelled")
        raise SourceError(
            describe_error(result.error_code, result.error_msg),
            code=result.error_code,
            retryable=result.error_code in NETWORK_ERROR_CODES,
        )

    def _after_failure(self, error: SourceError) -> None:
        """A network-type failure leaves the socket unusable: reconnect next time."""
        if error.retryable or error.code == "cancelled":
            self._logged_in = False
            self._drop_socket()


_FACTOR_FIELDS = (
    "code",
    "dividOperateDate",
    "foreAdjustFactor",
    "backAdjustFactor",
    "adjustFactor",
)


def _factors(fields: list[str], rows: list[list[str]]) -> list[Factor]:
    """Factor rows as :data:`Factor` tuples, whatever the order of the reply's fields."""
    if not rows:
        return []
    try:
        at = [fields.index(name) for name in _FACTOR_FIELDS]
        return [
            (row[at[0]], row[at[1]], *(float(row[i]) if row[i] else None for i in at[2:]))
            for row in rows
        ]
    except (ValueError, IndexError) as error:
        raise SourceError(f"服务器返回的复权因子有误：{error}", code="10004001") from None


def _date_or_none(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None
