"""foreign-currency agreements: sessions' own rates; agreements keep currency, amount and rate

Revision ID: 1401_foreign_currency
Revises: 1601_editions
Create Date: 2026-12-01 14:00:00

"""
import sqlalchemy as sa
from alembic import op

import matchmaker.db

revision = "1401_foreign_currency"
down_revision = "1601_editions"
branch_labels = None
depends_on = None

FOREIGN_COMPLETE = (
    "(currency = 'CNY' AND amount_original IS NULL AND exchange_rate IS NULL) OR "
    "(currency <> 'CNY' AND amount_original > 0 AND exchange_rate > 0)"
)


def upgrade():
    with op.batch_alter_table("signing_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rates", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("currency", sa.String(length=3), nullable=False, server_default="CNY")
        )
        batch_op.add_column(
            sa.Column("amount_original", matchmaker.db.Money(precision=20, scale=2), nullable=True)
        )
        batch_op.add_column(sa.Column("exchange_rate", sa.Numeric(precision=18, scale=8), nullable=True))
        batch_op.create_check_constraint("foreign_amount_complete", FOREIGN_COMPLETE)


def downgrade():
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_agreements_foreign_amount_complete"), type_="check")
        batch_op.drop_column("exchange_rate")
        batch_op.drop_column("amount_original")
        batch_op.drop_column("currency")
    with op.batch_alter_table("signing_sessions", schema=None) as batch_op:
        batch_op.drop_column("rates")
