"""row fingerprints: the fingerprint of the sheet row each project was imported from, and
the index a re-upload reads (keys and fingerprints) and finds duplicate candidates with

A re-upload skips the rows whose fingerprint is unchanged (matchmaker.catalogue.parser);
existing projects start without one, so their rows are read once more at the next upload.

Revision ID: 1703_row_fingerprints
Revises: 1403_user_locale
Create Date: 2026-12-01 17:03:00

"""
import sqlalchemy as sa
from alembic import op

revision = "1703_row_fingerprints"
down_revision = "1403_user_locale"
branch_labels = None
depends_on = None

COLUMNS = ["catalogue_id", "region_id", "investment_sought_yuan", "code", "row_fingerprint", "status"]


def upgrade():
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("row_fingerprint", sa.String(length=32), nullable=True))
    op.create_index("ix_projects_import_lookup", "projects", COLUMNS)


def downgrade():
    op.drop_index("ix_projects_import_lookup", table_name="projects")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("row_fingerprint")
