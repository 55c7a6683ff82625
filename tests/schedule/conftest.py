"""The user's real crontab, saved before a test that edits it and put back after."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from stockdesk.schedule.linux import CrontabBackend
from stockdesk.schedule.runner import SubprocessRunner


@pytest.fixture
def crontab():
    """The real crontab of the user running the tests, put back as it was afterwards.

    crontab has no option to edit another file than the user's own, so the tests edit
    that one; a line of the user's (a real daily update included) comes back unchanged.
    Without the ``crontab`` program (Debian's ``cron``) the tests are skipped, except under
    CI, where they fail.
    """
    if shutil.which("crontab") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the crontab tests: install cron")
        pytest.skip("no crontab program (apt-get install cron)")
    saved = subprocess.run(["crontab", "-l"], capture_output=True, text=True, check=False)
    had = saved.returncode == 0
    yield CrontabBackend(SubprocessRunner())
    if had:
        subprocess.run(["crontab", "-"], input=saved.stdout, text=True, check=True)
    else:
        subprocess.run(["crontab", "-r"], capture_output=True, check=False)
