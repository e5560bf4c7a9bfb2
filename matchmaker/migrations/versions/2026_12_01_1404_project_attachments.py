"""project_attachments: documents and photos staff attach to a project (feasibility study,
land documents, photos), their bytes in the upload store

Revision ID: 1404_project_attachments
Revises: 1703_row_fingerprints
Create Date: 2026-12-01 16:50:00

"""
import sqlalchemy as sa
from alembic import op

import matchmaker.db

revision = "1404_project_attachments"
down_revision = "1703_row_fingerprints"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "project_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("feasibility", "land", "photo", "other", name="attachment_kind",
                                  native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("language", sa.Enum("zh", "en", "zh_en", "none", "other",
                                      name="document_language", native_enum=False,
                                      create_constraint=True, length=32),
                  nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", matchmaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("size > 0", name=op.f("ck_project_attachments_size_positive")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"],
                                name=op.f("fk_project_attachments_project_id_projects"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"],
                                name=op.f("fk_project_attachments_uploaded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_attachments")),
    )
    with op.batch_alter_table("project_attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_attachments_project_id"), ["project_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("project_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_attachments_project_id"))
    op.drop_table("project_attachments")
