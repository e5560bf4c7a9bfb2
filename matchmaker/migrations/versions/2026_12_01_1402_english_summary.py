"""projects.summary_en: the English summary staff write or an English column brings

Revision ID: 1402_english_summary
Revises: 1603_catalogue_review
Create Date: 2026-12-01 14:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = "1402_english_summary"
down_revision = "1603_catalogue_review"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("summary_en", sa.Text(), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("summary_en")
