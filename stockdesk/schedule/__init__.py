"""The daily schedule: ``stockdesk update`` registered with the operating system's scheduler.

:mod:`~stockdesk.schedule.entry` is the part every system shares (the time, the command line);
:mod:`~stockdesk.schedule.linux` (systemd user timer, else crontab),
:mod:`~stockdesk.schedule.macos` (launchd agent) and :mod:`~stockdesk.schedule.windows`
(Task Scheduler) each write and read one system's entry; :mod:`~stockdesk.schedule.backend`
picks the one for this machine. No Qt here: the command line and the window share it, and
the window runs its calls off the GUI thread.
"""
