"""The collector: plan, fetch, check and store a job; the strategies; resume.

Kept empty on purpose: worker processes unpickle :mod:`stockdesk.collect.options` and
import :mod:`stockdesk.collect.workers`, and importing this package must not load the
collector (and with it SQLAlchemy) into them.
"""
