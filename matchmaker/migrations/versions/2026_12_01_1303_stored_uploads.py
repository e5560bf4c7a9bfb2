"""stored_uploads: uploads awaiting import live in the database, not on one machine's disk

Revision ID: 1303_stored_uploads
Revises: 1302_idempotency_fingerprint
Create Date: 2026-12-01 10:50:00

"""
import sqlalchemy as sa
from alembic import op

import matchmaker.db

revision = "1303_stored_uploads"
down_revision = "1302_idempotency_fingerprint"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_uploads",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", matchmaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_stored_uploads")),
    )


def downgrade():
    op.drop_table("stored_uploads")
