"""search index tables

Revision ID: 0002_search
Revises: 0001_initial
Create Date: 2026-11-21 15:00:00

"""
import sqlalchemy as sa
from alembic import op

import matchmaker.db

revision = "0002_search"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "search_documents",
        sa.Column("project_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("visible", sa.Boolean(), nullable=False),
        sa.Column("name_text", sa.Text(), nullable=False),
        sa.Column("content_text", sa.Text(), nullable=False),
        sa.Column("sector_codes", sa.String(length=500), nullable=False),
        sa.Column("region_code", sa.String(length=16), nullable=True),
        sa.Column("investment_sought_yuan", matchmaker.db.Money(precision=20, scale=2), nullable=False),
        sa.Column("cooperation_modes", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_at", matchmaker.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_search_documents")),
    )
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_documents_generation"), ["generation"], unique=False)
    op.create_table(
        "search_index_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("full_generation", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_index_state")),
    )


def downgrade():
    op.drop_table("search_index_state")
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_documents_generation"))
    op.drop_table("search_documents")
