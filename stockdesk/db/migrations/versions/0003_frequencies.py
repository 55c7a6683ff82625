"""Weekly/monthly and minute bars, and the frequency a job asked for (docs/contracts.md,
"Database").

Revision ID: 0003_frequencies
Revises: 0002_adjust_factors_coverage
Create Date: 2026-11-30

Weekly and monthly bars share ``period_bar`` (baostock serves them the same fields);
minute bars get ``minute_bar``, keyed by the bar's end time, with the trading day beside
it so a day's bars are counted without date arithmetic in SQL. Both keys lead with code,
frequency and adjust flag, so one stock's history is one index range. ``daily_bar`` is
left as it is: the daily path stays byte for byte what it was.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_frequencies"
down_revision = "0002_adjust_factors_coverage"
branch_labels = None
depends_on = None

REAL = sa.Double[float]().with_variant(sa.REAL(), "sqlite")
COUNT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _prices() -> list[sa.Column[float]]:
    return [sa.Column(name, REAL, nullable=True) for name in ("open", "high", "low", "close")]


def upgrade() -> None:
    op.create_table(
        "period_bar",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("frequency", sa.String(length=2), nullable=False),
        sa.Column("adjustflag", sa.String(length=1), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        *_prices(),
        sa.Column("volume", COUNT, nullable=True),
        sa.Column("amount", REAL, nullable=True),
        sa.Column("turn", REAL, nullable=True),
        sa.Column("pct_chg", REAL, nullable=True),
        sa.PrimaryKeyConstraint(
            "code", "frequency", "adjustflag", "date", name=op.f("pk_period_bar")
        ),
    )
    op.create_table(
        "minute_bar",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("frequency", sa.String(length=2), nullable=False),
        sa.Column("adjustflag", sa.String(length=1), nullable=False),
        sa.Column("bar_time", sa.DateTime(), nullable=False),
        sa.Column("trading_day", sa.Date(), nullable=False),
        *_prices(),
        sa.Column("volume", COUNT, nullable=True),
        sa.Column("amount", REAL, nullable=True),
        sa.PrimaryKeyConstraint(
            "code", "frequency", "adjustflag", "bar_time", name=op.f("pk_minute_bar")
        ),
    )
    with op.batch_alter_table("collection_job") as batch:
        batch.add_column(
            sa.Column("frequency", sa.String(length=2), nullable=False, server_default="d")
        )


def downgrade() -> None:
    with op.batch_alter_table("collection_job") as batch:
        batch.drop_column("frequency")
    op.drop_table("minute_bar")
    op.drop_table("period_bar")
