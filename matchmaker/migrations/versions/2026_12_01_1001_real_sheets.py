"""real sheets: currencies and rates, projects outside Guizhou, the province as a region

Revision ID: 1001_real_sheets
Revises: 0002_search
Create Date: 2026-12-01 11:00:00

"""
import sqlalchemy as sa
from alembic import op

import matchmaker.db

revision = "1001_real_sheets"
down_revision = "1101_company_identity"
branch_labels = None
depends_on = None

LEVELS_BEFORE = "level IN ('prefecture', 'county')"
LEVELS_AFTER = "level IN ('prefecture', 'county', 'province')"


def upgrade():
    with op.batch_alter_table("catalogues", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rates", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(
            sa.Column("accepts_outside", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("exchange_rate", sa.Numeric(precision=18, scale=8), nullable=True))
        batch_op.add_column(
            sa.Column("total_investment_original", matchmaker.db.Money(precision=20, scale=2), nullable=True)
        )
        batch_op.add_column(
            sa.Column("investment_sought_original", matchmaker.db.Money(precision=20, scale=2), nullable=True)
        )
        batch_op.add_column(sa.Column("province", sa.String(length=50), nullable=True))
        batch_op.create_check_constraint("exchange_rate_positive", "exchange_rate IS NULL OR exchange_rate > 0")
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_regions_region_level"), type_="check")
        batch_op.create_check_constraint("region_level", LEVELS_AFTER)


def downgrade():
    op.execute("DELETE FROM regions WHERE level = 'province'")
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_regions_region_level"), type_="check")
        batch_op.create_check_constraint("region_level", LEVELS_BEFORE)
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_projects_exchange_rate_positive"), type_="check")
        batch_op.drop_column("province")
        batch_op.drop_column("investment_sought_original")
        batch_op.drop_column("total_investment_original")
        batch_op.drop_column("exchange_rate")
        batch_op.drop_column("currency")
    with op.batch_alter_table("catalogues", schema=None) as batch_op:
        batch_op.drop_column("accepts_outside")
        batch_op.drop_column("rates")
