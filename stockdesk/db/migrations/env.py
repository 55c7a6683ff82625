"""Alembic environment: runs on the connection :mod:`stockdesk.db.migrate` hands over.

StockDesk never runs Alembic from the command line or an ``alembic.ini``; the database is
migrated when it is opened, inside the caller's write transaction, so two processes that
open a new file at the same moment do not both create the tables.
"""

from alembic import context

from stockdesk.db.models import Base

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=Base.metadata,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
