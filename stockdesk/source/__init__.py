"""baostock access: the hardened client, the guarded socket, outage waiting, bar parsing.

Imports only :mod:`stockdesk.domain`; no SQLAlchemy and no Qt, so the worker processes
that fetch for a job load nothing they do not use.
"""
