"""``stockdesk --self-test``: the real program in a child process, and its failure path."""

from __future__ import annotations

import io
import os
import subprocess
import sys

from stockdesk.selftest import run_self_test


def test_self_test_passes_end_to_end_and_logs_its_line(tmp_path):
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    shot = tmp_path / "window.png"
    done = subprocess.run(
        [sys.executable, "-m", "stockdesk", "--self-test", "--screenshot", str(shot)],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("self-test passed")
    assert "completed" in lines[0]
    assert shot.stat().st_size > 10_000
    log_text = (tmp_path / "state" / "StockDesk" / "log" / "stockdesk.log").read_text("utf-8")
    assert lines[0] in log_text


def test_a_job_that_does_not_finish_in_time_fails_with_the_reason(qapp):
    out = io.StringIO()
    assert run_self_test(timeout=0.0, stdout=out) == 1
    assert out.getvalue().startswith("self-test FAILED: the job did not finish within 0 s")
