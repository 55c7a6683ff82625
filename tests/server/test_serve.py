"""``stockdesk serve`` as a real process, driven over HTTP against the simulator.

Each test starts the server as a user would (``python -m stockdesk serve``), talks to it
with httpx and reads the SQLite file back with plain ``sqlite3``. Every wait has a
deadline; nothing sleeps blindly.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import stat
from pathlib import Path

import pytest
from recovery_helpers import job_counts, jobs, mismatches, run_stockdesk, started
from support.audit import item_counts, query
from support.processes import kill_hard
from support.served import Served, served, wait_until

from stockdesk.domain.errors import DATE_FORMAT_MESSAGE, JOB_RUNNING_MESSAGE
from stockdesk.domain.taskid import TASK_ID_PATTERN
from stockdesk.simulator import Market, SimulatorServer

START, END = "2024-01-01", "2024-03-31"
RECORD_FIELDS = {
    "status",
    "progress",
    "total_stocks",
    "processed_stocks",
    "success_count",
    "failed_count",
    "collected_count",
    "skipped_count",
    "start_time",
    "end_time",
    "error_message",
    "failed_details",
}
"""The original service's status record, by name (the issue's contract)."""
JOB_TIMEOUT = 60.0


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "stockdesk.db"


def serve_args(db_path: Path, server: SimulatorServer, *extra: str) -> list[str]:
    return ["--db", str(db_path), "--server", server.address, "--timeout", "2", *extra]


def start(client, **body: object):
    return client.post(
        "/start_historical_collection", json={"start_date": START, "end_date": END, **body}
    )


def status(client, task_id: str) -> dict:
    answer = client.get(f"/historical_collection_status/{task_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()


def ended(client, task_id: str, served_process: Served) -> dict:
    """The job's record once it is no longer running."""
    record: dict = {}

    def done() -> bool:
        record.update(status(client, task_id))
        return record["status"] != "running"

    wait_until(done, timeout=JOB_TIMEOUT, what=f"{task_id} to end", alive=served_process.process)
    return record


def test_start_refusals_and_a_job_polled_to_completed(
    simulator: SimulatorServer, db_path: Path
) -> None:
    simulator.faults.latency = 0.05  # ~3 s for the ~55 stocks: the second start finds it running
    with served(*serve_args(db_path, simulator)) as server, server.client() as client:
        first = start(client)
        second = start(client)
        bad_date = start(client, start_date="2024/01/01")
        malformed = client.post("/start_historical_collection", json={"start_date": START})
        unknown = client.get(
            "/historical_collection_status/historical_collection_20240101_000000_1"
        )

        assert first.status_code == 200, first.text
        task_id = first.json()["task_id"]
        assert TASK_ID_PATTERN.match(task_id) and first.json()["status"] == "running"
        assert (second.status_code, second.json()) == (400, {"detail": JOB_RUNNING_MESSAGE})
        assert (bad_date.status_code, bad_date.json()) == (400, {"detail": DATE_FORMAT_MESSAGE})
        assert malformed.status_code == 422
        assert unknown.status_code == 404

        record = ended(client, task_id, server)
        listing = client.get("/historical_collection_tasks").json()

    assert set(record) >= RECORD_FIELDS
    assert record["status"] == "completed", record
    assert record["total_stocks"] > 40
    assert (
        record["success_count"],
        record["processed_stocks"],
        record["failed_count"],
        record["progress"],
        record["failed_details"],
    ) == (record["total_stocks"], record["total_stocks"], 0, 100, [])
    assert {k: record[k] for k in item_counts(db_path, task_id)} == item_counts(db_path, task_id)
    assert record["collected_count"] == query(db_path, "SELECT count(*) FROM daily_bar")[0][0]
    codes = [c for (c,) in query(db_path, "SELECT code FROM job_item WHERE job_id = ?", task_id)]
    assert (
        mismatches(db_path, simulator.market, codes, dt.date(2024, 1, 1), dt.date(2024, 3, 31))
        == {}
    )
    assert [job["task_id"] for job in listing] == [task_id]
    [logged] = jobs(db_path)  # `stockdesk jobs list` agrees with the API
    assert job_counts(logged) == {k: record[k] for k in job_counts(logged)}


@pytest.fixture(scope="module")
def big_market() -> Market:
    """Enough stocks (1,200, more than the range's trading days) that a whole-market job
    fetches by date."""
    return Market(seed=11, stocks=1200, indices=4)


def test_a_whole_market_job_by_date_shows_progress_before_its_end(
    big_market: Market, db_path: Path
) -> None:
    """Stocks fetched by date finish together on their last day; the status (and
    ``jobs show`` in another process) must move before that."""
    with SimulatorServer(big_market) as simulator:
        simulator.faults.latency = 0.1  # ~60 days over 2 sessions: about 3 s
        with served(*serve_args(db_path, simulator)) as server, server.client() as client:
            task_id = start(client).json()["task_id"]

            def running_and_moving() -> dict | None:
                record = status(client, task_id)
                moves = record["progress"] > 0 and record["collected_count"] > 0
                return record if record["status"] == "running" and moves else None

            moving = wait_until(
                running_and_moving,
                timeout=JOB_TIMEOUT,
                what="progress while running",
                alive=server.process,
            )
            shown = run_stockdesk("jobs", "show", task_id, "--json", "--db", str(db_path))
            record = ended(client, task_id, server)

    assert moving["processed_stocks"] < moving["total_stocks"], moving
    assert json.loads(shown.stdout)["progress"] >= moving["progress"] > 0
    assert record["status"] == "completed" and record["strategy"] == "per-date"
    assert record["success_count"] == record["total_stocks"] > 1000
    assert record["collected_count"] == query(db_path, "SELECT count(*) FROM daily_bar")[0][0]
    assert {k: record[k] for k in item_counts(db_path, task_id)} == item_counts(db_path, task_id)


def test_cancel_by_request_and_by_sigterm_keep_the_committed_stocks(
    simulator: SimulatorServer, db_path: Path
) -> None:
    simulator.faults.latency = 0.1  # ~0.1 s a stock: the cancels land mid-job
    with served(*serve_args(db_path, simulator)) as server, server.client() as client:
        task_id = start(client).json()["task_id"]
        wait_until(
            lambda: status(client, task_id)["processed_stocks"] >= 2,
            timeout=JOB_TIMEOUT,
            what="2 stocks",
            alive=server.process,
        )
        cancelled = client.post(f"/historical_collection_tasks/{task_id}/cancel")
        again = client.post(f"/historical_collection_tasks/{task_id}/cancel")
        unknown = client.post("/historical_collection_tasks/historical_collection_1/cancel")

        second = start(client).json()["task_id"]
        wait_until(
            lambda: status(client, second)["processed_stocks"] >= 2,
            timeout=JOB_TIMEOUT,
            what="2 stocks of the second job",
            alive=server.process,
        )
        exit_code = server.stop(signal.SIGTERM)

    assert cancelled.status_code == 200, cancelled.text
    record = cancelled.json()
    assert record["status"] == "cancelled"
    assert 2 <= record["processed_stocks"] < record["total_stocks"]
    assert again.status_code == 409 and unknown.status_code == 404
    assert exit_code == 0, "".join(server.lines)
    listing = {job["id"]: job for job in jobs(db_path)}
    assert listing[second]["status"] == "cancelled"
    for job_id in (task_id, second):
        assert job_counts(listing[job_id]) == item_counts(db_path, job_id)
    done = [c for (c,) in query(db_path, "SELECT code FROM job_item WHERE status = 'success'")]
    assert (
        done
        and mismatches(db_path, simulator.market, done, dt.date(2024, 1, 1), dt.date(2024, 3, 31))
        == {}
    )
    assert any("cancelled" in line for line in server.lines)


def test_one_job_per_database_across_the_api_and_the_cli_and_a_killed_server_is_interrupted(
    simulator: SimulatorServer, db_path: Path
) -> None:
    codes = [
        s.code
        for s in simulator.market.stocks()
        if s.status == "1" and s.ipo_date < dt.date(2024, 1, 1)
    ][:12]
    simulator.faults.latency = 0.1
    collect = [
        "collect",
        "--start",
        START,
        "--end",
        END,
        "--codes",
        ",".join(codes),
        "--db",
        str(db_path),
        "--server",
        simulator.address,
        "--timeout",
        "2",
    ]
    with served(*serve_args(db_path, simulator)) as server, server.client() as client:
        with started(*collect) as cli:
            wait_until(
                lambda: query(db_path, "SELECT count(*) FROM job_item")[0][0] >= 1,
                timeout=JOB_TIMEOUT,
                what="the CLI's first stock",
                alive=cli,
            )
            refused = start(client, codes=codes)
            cli.wait(timeout=JOB_TIMEOUT)
        assert (refused.status_code, refused.json()) == (400, {"detail": JOB_RUNNING_MESSAGE})
        assert client.get("/historical_collection_tasks").json()[0]["status"] == "completed"

        simulator.faults.latency = 0.3  # the ~40 stocks left: long enough to be killed mid-job
        task_id = start(client).json()["task_id"]
        wait_until(
            lambda: status(client, task_id)["processed_stocks"] >= 1,
            timeout=JOB_TIMEOUT,
            what="the API job's first stock",
            alive=server.process,
        )
        busy = run_stockdesk(*collect)
        kill_hard(server.process)

    assert busy.returncode == 3 and JOB_RUNNING_MESSAGE in busy.stderr
    with served(*serve_args(db_path, simulator)) as again, again.client() as client:
        record = status(client, task_id)
    assert record["status"] == "interrupted" and "中断" in record["error_message"]


def test_a_public_address_without_a_token_is_refused(db_path: Path) -> None:
    with served("--host", "0.0.0.0", "--db", str(db_path), wait=False) as server:
        code = server.process.wait(timeout=30)
    assert code == 2
    assert "--token-file" in "".join(server.lines)
    assert not db_path.exists(), "refused before anything was opened"


def test_with_a_token_a_request_without_it_is_refused_and_changes_nothing(
    simulator: SimulatorServer, db_path: Path, tmp_path: Path
) -> None:
    token_file = tmp_path / "token"
    made = run_stockdesk("serve", "--new-token", str(token_file))
    assert made.returncode == 0, made.stderr
    token = token_file.read_text().strip()
    assert len(token) >= 43 and token not in made.stderr + made.stdout
    if os.name == "posix":
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert run_stockdesk("serve", "--new-token", str(token_file)).returncode == 2  # kept

    state = tmp_path / "state"
    with served(
        *serve_args(db_path, simulator, "--token-file", str(token_file)),
        env={"XDG_STATE_HOME": str(state)},
    ) as server:
        with server.client() as anonymous:
            no_token = start(anonymous)
            listing = anonymous.get("/historical_collection_tasks")
            docs = anonymous.get("/docs")
        with server.client(headers={"Authorization": "Bearer " + "x" * len(token)}) as wrong:
            wrong_token = wrong.get("/historical_collection_tasks")
        assert query(db_path, "SELECT count(*) FROM collection_job") == [(0,)]
        with server.client(headers={"Authorization": f"Bearer {token}"}) as client:
            allowed = client.get("/historical_collection_tasks")
        server.stop()

    assert [r.status_code for r in (no_token, listing, docs, wrong_token)] == [401] * 4
    assert no_token.headers["www-authenticate"] == "Bearer"
    assert (allowed.status_code, allowed.json()) == (200, [])
    logged = "".join(p.read_text() for p in state.rglob("stockdesk.log*"))
    assert 'GET /historical_collection_tasks HTTP/1.1" 401' in logged  # the access log
    assert token not in logged and token not in "".join(server.lines)
