"""The API's rules in-process: the engine's checks and words, the token, the Host header.

The process tests (test_serve.py) drive a real server; these check the many small cases
quickly, in-process through httpx's ASGI transport, with a real job runner against the
simulator.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest
from fastapi import FastAPI

from stockdesk import cli
from stockdesk.collect.collector import Collector
from stockdesk.collect.listener import JobListener
from stockdesk.collect.options import CollectOptions
from stockdesk.db.database import Database, open_database
from stockdesk.db.joblog import JobLog
from stockdesk.domain.errors import DATE_FORMAT_MESSAGE, InputError, JobRunningError
from stockdesk.domain.values import JobRequest
from stockdesk.server.app import BOTH_CHOSEN_MESSAGE, NOT_HERE_MESSAGE, create_app
from stockdesk.server.auth import (
    LOOPBACK_NAMES,
    MIN_TOKEN_CHARS,
    check_bind,
    host_name,
    is_loopback,
    new_token_file,
    read_token_file,
)
from stockdesk.server.jobs import JobRunner
from stockdesk.simulator import SimulatorServer

START, END = "2024-01-01", "2024-03-31"
TOKEN = "t" * MIN_TOKEN_CHARS


@pytest.fixture
def database(database_target: str) -> Iterator[Database]:
    """The API's database, on each store (SQLite and PostgreSQL)."""
    db = open_database(database_target)
    yield db
    db.close()


@pytest.fixture
def runner(database: Database, simulator: SimulatorServer) -> Iterator[JobRunner]:
    jobs = JobRunner(database, CollectOptions(server=simulator.address, timeout=2))
    yield jobs
    assert jobs.shutdown(wait=10) == []


class Client:
    """A synchronous httpx client calling the app in-process, one event loop per request
    (the routes are plain functions: they run in anyio's thread pool, as under uvicorn)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def request(self, method: str, url: str, **options: object) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://127.0.0.1:8765"
            ) as client:
                return await client.request(method, url, **options)  # type: ignore[arg-type]

        return anyio.run(send)

    def get(self, url: str, **options: object) -> httpx.Response:
        return self.request("GET", url, **options)

    def post(self, url: str, **options: object) -> httpx.Response:
        return self.request("POST", url, **options)


def client_for(
    runner: JobRunner,
    database: Database,
    *,
    token: str | None = None,
    hosts: frozenset[str] | None = None,
) -> Client:
    return Client(create_app(runner, JobLog(database), token=token, hosts=hosts))


@pytest.fixture
def client(runner: JobRunner, database: Database) -> Client:
    return client_for(runner, database)


def first_codes(simulator: SimulatorServer, count: int) -> list[str]:
    return [
        s.code
        for s in simulator.market.stocks()
        if s.status == "1" and s.ipo_date < dt.date(2024, 1, 1)
    ][:count]


def final(client: Client, task_id: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = client.get(f"/historical_collection_status/{task_id}").json()
        if record["status"] != "running":
            return record
        time.sleep(0.02)
    raise AssertionError(f"{task_id} still running after {timeout} s")


def cli_message(*argv: str) -> str:
    """What ``stockdesk collect`` says to the same request (it never reaches a server)."""
    err = io.StringIO()
    code = cli.run(
        cli.build_parser().parse_args(["collect", *argv, "--server", "127.0.0.1:9"]),
        stdout=io.StringIO(),
        stderr=err,
    )
    assert code == 2
    return err.getvalue().strip()


@pytest.mark.parametrize(
    ("body", "argv"),
    [
        ({"start_date": END, "end_date": START}, ["--start", END, "--end", START]),
        (
            {"start_date": "2999-01-01", "end_date": "2999-02-01"},
            ["--start", "2999-01-01", "--end", "2999-02-01"],
        ),
        ({"start_date": "1980-01-01", "end_date": END}, ["--start", "1980-01-01", "--end", END]),
        (
            {"start_date": START, "end_date": END, "codes": ["60000x", "sh.600000"]},
            ["--start", START, "--end", END, "--codes", "60000x,sh.600000"],
        ),
        (
            {"start_date": START, "end_date": END, "universe": "index", "frequency": "5"},
            ["--start", START, "--end", END, "--universe", "index", "--frequency", "5"],
        ),
        (
            {"start_date": "1999-01-04", "end_date": END, "frequency": "30"},
            ["--start", "1999-01-04", "--end", END, "--frequency", "30"],
        ),
        (
            {"start_date": START, "end_date": END, "frequency": "1"},
            ["--start", START, "--end", END, "--frequency", "1"],
        ),
    ],
)
def test_a_bad_request_is_400_in_the_command_line_s_own_words(
    client: Client, body: dict, argv: list[str]
) -> None:
    answer = client.post("/start_historical_collection", json=body)
    assert answer.status_code == 400
    assert answer.json() == {"detail": cli_message(*argv)}


@pytest.mark.parametrize("date", ["2024/01/01", "2024-1-5", "20240105", "", "2024-02-30"])
def test_a_bad_date_is_400_with_the_original_service_s_message(client: Client, date: str) -> None:
    answer = client.post(
        "/start_historical_collection", json={"start_date": START, "end_date": date}
    )
    assert (answer.status_code, answer.json()) == (400, {"detail": DATE_FORMAT_MESSAGE})
    if date:  # the command line asks for a missing --end in words of its own
        assert cli_message("--start", START, "--end", date).startswith(DATE_FORMAT_MESSAGE)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"codes": []}, "请至少输入一个股票代码"),
        ({"universe": "codes"}, "请至少输入一个股票代码"),
        ({"universe": "hs301"}, "股票范围错误：hs301"),
        ({"adjustflag": "4"}, "复权类型错误：4"),
        ({"codes": ["sh.600000"], "universe": "hs300"}, BOTH_CHOSEN_MESSAGE),
    ],
)
def test_other_refusals_name_the_problem(client: Client, changes: dict, message: str) -> None:
    answer = client.post(
        "/start_historical_collection", json={"start_date": START, "end_date": END, **changes}
    )
    assert answer.status_code == 400 and message in answer.json()["detail"]
    assert client.get("/historical_collection_tasks").json() == []


@pytest.mark.parametrize(
    "body",
    [
        {"start_date": START},
        {"start_date": START, "end_date": END, "universes": "hs300"},
        {"start_date": START, "end_date": END, "codes": "sh.600000"},
        {"start_date": 20240101, "end_date": END},
    ],
)
def test_only_a_malformed_body_is_422(client: Client, body: dict) -> None:
    assert client.post("/start_historical_collection", json=body).status_code == 422


def test_a_future_end_is_noted_and_codes_the_server_lacks_fail_the_job(
    client: Client, simulator: SimulatorServer
) -> None:
    code = first_codes(simulator, 1)[0]
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    answer = client.post(
        "/start_historical_collection",
        json={
            "start_date": "2024-03-01",
            "end_date": future,
            "codes": [code.upper()],
            "adjustflag": 2,
        },
    )
    assert answer.status_code == 200, answer.text
    assert "已改为今天" in answer.json()["notes"][0]
    done = final(client, answer.json()["task_id"])
    assert (done["status"], done["success_count"], done["adjustflag"]) == ("completed", 1, "2")

    unknown = client.post(
        "/start_historical_collection",
        json={"start_date": START, "end_date": END, "codes": ["sh.699999"]},
    )
    assert unknown.status_code == 200
    failed = final(client, unknown.json()["task_id"])
    assert failed["status"] == "failed" and "sh.699999" in failed["error_message"]


def test_update_starts_the_update_job_and_refuses_an_empty_database(
    client: Client, database: Database, simulator: SimulatorServer
) -> None:
    empty = client.post("/update")
    assert empty.status_code == 400 and "stockdesk collect" in empty.json()["detail"]
    assert JobLog(database).list_jobs() == []  # refused before any job was logged

    codes = first_codes(simulator, 2)
    collected = client.post(
        "/start_historical_collection", json={"start_date": START, "end_date": END, "codes": codes}
    ).json()["task_id"]
    assert final(client, collected)["status"] == "completed"

    answer = client.post("/update")
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "running"
    done = final(client, answer.json()["task_id"])
    assert (done["status"], done["failed_count"]) == ("completed", 0), done["error_message"]
    assert done["collected_count"] > 0  # END is months behind the server's last day
    newest = client.get("/historical_collection_tasks").json()[0]
    assert (newest["task_id"], newest["universe"]) == (answer.json()["task_id"], "update")
    assert newest["end_date"] > END and newest["start_date"] > END


def test_failed_details_carry_the_original_fields(
    client: Client, simulator: SimulatorServer
) -> None:
    from stockdesk.simulator import FaultKind

    codes = first_codes(simulator, 2)
    simulator.faults.add(
        FaultKind.ERROR,
        method="query_history_k_data_plus",
        code=codes[1],
        error_code="10004011",
        times=None,
    )
    task_id = client.post(
        "/start_historical_collection", json={"start_date": START, "end_date": END, "codes": codes}
    ).json()["task_id"]
    record = final(client, task_id)
    [detail] = record["failed_details"]
    assert set(detail) == {"code", "name", "error_code", "error_message", "attempts"}
    assert (detail["code"], detail["error_code"], record["failed_count"]) == (
        codes[1],
        "10004011",
        1,
    )


def test_a_job_another_process_runs_cannot_be_cancelled_here(
    client: Client, database: Database, simulator: SimulatorServer
) -> None:
    """A job of this database run by someone else (here: a collector in another thread,
    as the window would run it): this server refuses to start a second one and says it
    cannot cancel that one, whose owner can."""
    holding, release = threading.Event(), threading.Event()

    class Hold(JobListener):
        def plan_ready(self, job: object) -> None:
            holding.set()
            release.wait(10)

    outcome: list = []
    other = threading.Thread(
        target=lambda: outcome.append(
            Collector(database, CollectOptions(server=simulator.address)).run(
                JobRequest(
                    dt.date(2024, 1, 1),
                    dt.date(2024, 1, 31),
                    universe="codes",
                    codes=tuple(first_codes(simulator, 1)),
                ),
                listener=Hold(),
            )
        )
    )
    other.start()
    try:
        assert holding.wait(10)
        [running] = client.get("/historical_collection_tasks").json()
        refused = client.post(f"/historical_collection_tasks/{running['task_id']}/cancel")
        busy = client.post(
            "/start_historical_collection", json={"start_date": START, "end_date": END}
        )
        busy_update = client.post("/update")
    finally:
        release.set()
        other.join(10)
    assert (refused.status_code, refused.json()["detail"]) == (409, NOT_HERE_MESSAGE)
    assert busy.status_code == busy_update.status_code == 400
    assert busy.json()["detail"] == busy_update.json()["detail"] == str(JobRunningError())
    assert outcome[0].status == "completed"


# -- who may talk to it ----------------------------------------------------------------------


def test_every_request_needs_the_token_when_there_is_one(
    runner: JobRunner, database: Database
) -> None:
    client = client_for(runner, database, token=TOKEN)
    answers = {
        "none": client.get("/historical_collection_tasks"),
        "docs": client.get("/docs"),
        "schema": client.get("/openapi.json"),
        "start": client.post(
            "/start_historical_collection", json={"start_date": START, "end_date": END}
        ),
        "wrong": client.get(
            "/historical_collection_tasks", headers={"Authorization": f"Bearer {TOKEN[:-1]}x"}
        ),
        "basic": client.get(
            "/historical_collection_tasks", headers={"Authorization": f"Basic {TOKEN}"}
        ),
        "lower": client.get(
            "/historical_collection_tasks", headers={"Authorization": f"bearer {TOKEN}"}
        ),
        "schema with token": client.get(
            "/openapi.json", headers={"Authorization": f"Bearer {TOKEN}"}
        ),
    }
    codes = {name: answer.status_code for name, answer in answers.items()}
    assert codes == {
        "none": 401,
        "docs": 401,
        "schema": 401,
        "start": 401,
        "wrong": 401,
        "basic": 401,
        "lower": 200,
        "schema with token": 200,
    }
    assert JobLog(database).list_jobs() == []
    assert "HTTPBearer" in answers["schema with token"].json()["components"]["securitySchemes"]


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("127.0.0.1:8765", 200),
        ("localhost:8765", 200),
        ("[::1]:8765", 200),
        ("LOCALHOST", 200),
        ("evil.example:8765", 400),
        ("evil.example", 400),
        ("127.0.0.1.evil.example", 400),
    ],
)
def test_a_loopback_server_answers_only_requests_for_a_loopback_name(
    runner: JobRunner, database: Database, host: str, status: int
) -> None:
    """A page that resolves its own name to 127.0.0.1 (DNS rebinding) gets nothing."""
    client = client_for(runner, database, hosts=LOOPBACK_NAMES)
    answer = client.get("/historical_collection_tasks", headers={"Host": host})
    assert answer.status_code == status


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("example.com", False),
    ],
)
def test_which_addresses_are_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    if loopback:
        check_bind(host, None)
    else:
        with pytest.raises(InputError, match="--token-file"):
            check_bind(host, None)
        check_bind(host, TOKEN)


def test_host_names_lose_their_port() -> None:
    assert [host_name(h) for h in ("127.0.0.1:80", "[::1]:80", "[::1]", "Example.COM")] == [
        "127.0.0.1",
        "::1",
        "::1",
        "example.com",
    ]


def test_token_files(tmp_path: Path) -> None:
    path = tmp_path / "token"
    new_token_file(path)
    token = read_token_file(path)
    assert len(token) >= MIN_TOKEN_CHARS
    with pytest.raises(InputError, match="已存在"):
        new_token_file(path)
    assert read_token_file(path) == token

    short = tmp_path / "short"
    short.write_text("x" * (MIN_TOKEN_CHARS - 1))
    short.chmod(0o600)
    with pytest.raises(InputError, match="太短"):
        read_token_file(short)
    with pytest.raises(InputError, match="无法读取"):
        read_token_file(tmp_path / "missing")
    if os.name == "posix":
        path.chmod(0o640)
        with pytest.raises(InputError, match="chmod 600"):
            read_token_file(path)
