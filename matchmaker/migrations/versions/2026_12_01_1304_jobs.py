"""jobs: long work off the request (imports, event-wide matching, exports)

Revision ID: 1304_jobs
Revises: 1303_stored_uploads
Create Date: 2026-12-01 10:55:00

"""
import sqlalchemy as sa
from alembic import op

import matchmaker.db

revision = "1304_jobs"
down_revision = "1303_stored_uploads"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column(
            "state",
            sa.Enum("queued", "running", "done", "failed", name="job_state", native_enum=False,
                    create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("queue_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", matchmaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", matchmaker.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", matchmaker.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_jobs_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_user_id"), ["user_id"], unique=False)


def downgrade():
    op.drop_table("jobs")
