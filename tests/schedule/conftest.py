"""The user's real crontab, saved before a test that edits it and put back after."""

from __future__ import annotations

import subprocess

import pytest

from stockdesk.schedule.linux import CrontabBackend
from stockdesk.schedule.runner import SubprocessRunner


@pytest.fixture
def crontab():
    """The real crontab of the user running the tests, put back as it was afterwards.

    crontab has no option to edit another file than the user's own, so the tests edit
    that one; a line of the user's (a real daily update included) comes back unchanged.
    """
    saved = subprocess.run(["crontab", "-l"], capture_output=True, text=True, check=False)
    had = saved.returncode == 0
    yield CrontabBackend(SubprocessRunner())
    if had:
        subprocess.run(["crontab", "-"], input=saved.stdout, text=True, check=True)
    else:
        subprocess.run(["crontab", "-r"], capture_output=True, check=False)
