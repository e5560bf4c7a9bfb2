"""cache changes: which items each generation of a cache changed, so that workers apply
deltas instead of rebuilding (matchmaker.cache)

Revision ID: 1702_cache_changes
Revises: 1701_totals_indexes
Create Date: 2026-12-01 14:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "1702_cache_changes"
down_revision = "1701_totals_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cache_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cache_changes")),
    )
    op.create_index("ix_cache_changes_name_generation", "cache_changes", ["name", "generation"])


def downgrade():
    op.drop_index("ix_cache_changes_name_generation", table_name="cache_changes")
    op.drop_table("cache_changes")
