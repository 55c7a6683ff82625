"""What each stock holds of each weekly, monthly and minute frequency, and job items per
frequency (docs/contracts.md, "Database").

Revision ID: 0004_frame_coverage
Revises: 0003_frequencies
Create Date: 2026-11-30

``frame_coverage`` is to ``period_bar`` and ``minute_bar`` what ``bar_coverage`` is to
``daily_bar``: first and last day, rows, and the days known complete
(``complete_from``/``complete_through``), so a re-run skips a stock stored in full and
an update knows where each frequency ends without scanning millions of minute bars.
Bars stored before this revision were stored by jobs that kept a stock only when it was
complete over their range, so their first to last day is taken as complete.

An update extends every frequency a stock has, in one job, so a job may hold one item
per stock and frequency: ``job_item`` gains ``frequency`` (the job's own for the items
logged before) and its unique key becomes (job_id, code, frequency).
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_frame_coverage"
down_revision = "0003_frequencies"
branch_labels = None
depends_on = None

COUNT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "frame_coverage",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("frequency", sa.String(length=2), nullable=False),
        sa.Column("adjustflag", sa.String(length=1), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("rows", COUNT, nullable=False),
        sa.Column("complete_from", sa.Date(), nullable=True),
        sa.Column("complete_through", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("code", "frequency", "adjustflag", name=op.f("pk_frame_coverage")),
    )
    for table, day in (("period_bar", "date"), ("minute_bar", "trading_day")):
        op.execute(
            "INSERT INTO frame_coverage (code, frequency, adjustflag, first_day, last_day, "
            "rows, complete_from, complete_through) "
            f"SELECT code, frequency, adjustflag, min({day}), max({day}), count(*), "
            f"min({day}), max({day}) FROM {table} GROUP BY code, frequency, adjustflag"
        )
    with op.batch_alter_table("job_item") as batch:
        batch.add_column(
            sa.Column("frequency", sa.String(length=2), nullable=False, server_default="d")
        )
        batch.drop_constraint("uq_job_item_job_id_code", type_="unique")
        batch.create_unique_constraint(
            "uq_job_item_job_id_code_frequency", ["job_id", "code", "frequency"]
        )
    op.execute(
        "UPDATE job_item SET frequency = (SELECT collection_job.frequency "
        "FROM collection_job WHERE collection_job.id = job_item.job_id)"
    )


def downgrade() -> None:
    op.execute(
        "DELETE FROM job_item WHERE frequency <> (SELECT collection_job.frequency "
        "FROM collection_job WHERE collection_job.id = job_item.job_id)"
    )
    with op.batch_alter_table("job_item") as batch:
        batch.drop_constraint("uq_job_item_job_id_code_frequency", type_="unique")
        batch.create_unique_constraint("uq_job_item_job_id_code", ["job_id", "code"])
        batch.drop_column("frequency")
    op.drop_table("frame_coverage")
