"""Baseline: the security, daily_bar, collection_job and job_item tables (docs/contracts.md,
"Database").

Revision ID: 0001
Revises:
Create Date: 2024-06-01

Types are spelled out here, not imported from the models, so this revision keeps creating
the same schema whatever the models become later.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

REAL = sa.Double[float]().with_variant(sa.REAL(), "sqlite")
COUNT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "security",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("ipo_date", sa.Date(), nullable=True),
        sa.Column("out_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_security")),
    )
    op.create_table(
        "daily_bar",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("adjustflag", sa.String(length=1), nullable=False),
        sa.Column("open", REAL, nullable=True),
        sa.Column("high", REAL, nullable=True),
        sa.Column("low", REAL, nullable=True),
        sa.Column("close", REAL, nullable=True),
        sa.Column("preclose", REAL, nullable=True),
        sa.Column("volume", COUNT, nullable=True),
        sa.Column("amount", REAL, nullable=True),
        sa.Column("turn", REAL, nullable=True),
        sa.Column("tradestatus", sa.Integer(), nullable=True),
        sa.Column("pct_chg", REAL, nullable=True),
        sa.Column("pe_ttm", REAL, nullable=True),
        sa.Column("pb_mrq", REAL, nullable=True),
        sa.Column("ps_ttm", REAL, nullable=True),
        sa.Column("pcf_ncf_ttm", REAL, nullable=True),
        sa.Column("is_st", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("code", "date", "adjustflag", name=op.f("pk_daily_bar")),
    )
    op.create_table(
        "collection_job",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("total_stocks", sa.Integer(), nullable=False),
        sa.Column("processed_stocks", sa.Integer(), nullable=False),
        sa.Column("success_count", sa.Integer(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("collected_count", COUNT, nullable=False),
        sa.Column("skipped_count", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.DateTime(), nullable=False),
        sa.Column("end_time", sa.DateTime(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("adjustflag", sa.String(length=1), nullable=False),
        sa.Column("universe", sa.String(length=16), nullable=False),
        sa.Column("codes", sa.Text(), nullable=True),
        sa.Column("resumes", sa.String(length=80), nullable=True),
        sa.Column("strategy", sa.String(length=16), nullable=True),
        sa.Column("owner_pid", sa.Integer(), nullable=True),
        sa.Column("owner_host", sa.String(length=255), nullable=True),
        sa.Column("owner_started", REAL, nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_job")),
    )
    op.create_index("ix_collection_job_start_time", "collection_job", ["start_time"])
    op.create_table(
        "job_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=80), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error_code", sa.String(length=32), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["collection_job.id"],
            name=op.f("fk_job_item_job_id_collection_job"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_item")),
        sa.UniqueConstraint("job_id", "code", name=op.f("uq_job_item_job_id_code")),
    )


def downgrade() -> None:
    op.drop_table("job_item")
    op.drop_index("ix_collection_job_start_time", table_name="collection_job")
    op.drop_table("collection_job")
    op.drop_table("daily_bar")
    op.drop_table("security")
