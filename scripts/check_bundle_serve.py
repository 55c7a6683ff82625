"""Prove a built bundle's ``stockdesk serve`` works: start it on the demo, collect over HTTP.

uvicorn imports some of its parts by name, which PyInstaller cannot see; a part missing
from the bundle shows only when the server starts. This starts the bundle's server on a
free port against its built-in simulator, starts a small job over HTTP, polls it to
``completed``, stops the server with SIGTERM and expects exit 0. Prints one line; exits
non-zero with the server's output if any step fails.

    python scripts/check_bundle_serve.py dist/stockdesk/stockdesk
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request

TIMEOUT = 60.0


def main(bundle: str) -> int:
    started = time.monotonic()
    server = subprocess.Popen(
        [bundle, "serve", "--demo", "--port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    listening = threading.Event()

    def read() -> None:
        assert server.stderr is not None
        for line in server.stderr:
            lines.append(line)
            if " 上运行" in line:
                listening.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not listening.wait(TIMEOUT):
            raise RuntimeError("the server did not start listening")
        url = re.search(r"(http://\S+?:\d+) 上运行", "".join(lines))[1]  # type: ignore[index]
        task = _call(
            f"{url}/start_historical_collection",
            {"start_date": "2024-01-01", "end_date": "2024-01-31", "universe": "sz50"},
        )
        deadline = time.monotonic() + TIMEOUT
        while (job := _call(f"{url}/historical_collection_status/{task['task_id']}"))[
            "status"
        ] == "running" and time.monotonic() < deadline:
            time.sleep(0.1)
        if job["status"] != "completed" or job["success_count"] == 0:
            raise RuntimeError(f"the job did not complete: {job}")
        server.send_signal(signal.SIGTERM)
        if server.wait(timeout=TIMEOUT) != 0:
            raise RuntimeError(f"the server exited {server.returncode} on SIGTERM")
    except Exception as error:
        server.kill()
        print(f"bundle serve check failed: {error}\n{''.join(lines)}", file=sys.stderr)
        return 1
    print(
        f"bundle serve check passed in {time.monotonic() - started:.1f} s: job "
        f"{job['task_id']} completed over HTTP, {job['success_count']} stocks, "
        f"{job['collected_count']} rows"
    )
    return 0


def _call(url: str, body: dict[str, object] | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
