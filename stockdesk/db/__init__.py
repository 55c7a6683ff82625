"""SQLAlchemy models, the job log and the bar store."""
