"""SQLAlchemy models, the job log and the bar store."""

from stockdesk.db.barstore import BarStore
from stockdesk.db.database import Database, open_database
from stockdesk.db.joblog import JobLog

__all__ = ["BarStore", "Database", "JobLog", "open_database"]
