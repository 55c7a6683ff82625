"""Adjust factors, the coverage summary and the exchange calendar (docs/contracts.md,
"Database").

Revision ID: 0002_adjust_factors_coverage
Revises: 0001
Create Date: 2026-11-30

``bar_coverage`` is filled from the bars already stored (one GROUP BY, once); its
``missing_days`` stay NULL until a job has the trading calendar to count them with.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_adjust_factors_coverage"
down_revision = "0001"
branch_labels = None
depends_on = None

REAL = sa.Double[float]().with_variant(sa.REAL(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "adjust_factor",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("divid_operate_date", sa.Date(), nullable=False),
        sa.Column("fore_adjust_factor", REAL, nullable=True),
        sa.Column("back_adjust_factor", REAL, nullable=True),
        sa.Column("adjust_factor", REAL, nullable=True),
        sa.PrimaryKeyConstraint("code", "divid_operate_date", name=op.f("pk_adjust_factor")),
    )
    op.create_table(
        "factor_coverage",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("checked_through", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_factor_coverage")),
    )
    op.create_table(
        "bar_coverage",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("adjustflag", sa.String(length=1), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("missing_days", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("code", "adjustflag", name=op.f("pk_bar_coverage")),
    )
    op.create_table(
        "trade_calendar",
        sa.Column("calendar_date", sa.Date(), nullable=False),
        sa.Column("is_trading_day", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("calendar_date", name=op.f("pk_trade_calendar")),
    )
    op.create_table(
        "coverage_pending",
        sa.Column("job_id", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_coverage_pending")),
    )
    op.execute(
        "INSERT INTO bar_coverage (code, adjustflag, first_day, last_day, rows, missing_days) "
        "SELECT code, adjustflag, min(date), max(date), count(*), NULL FROM daily_bar "
        "GROUP BY code, adjustflag"
    )


def downgrade() -> None:
    op.drop_table("coverage_pending")
    op.drop_table("trade_calendar")
    op.drop_table("bar_coverage")
    op.drop_table("factor_coverage")
    op.drop_table("adjust_factor")
