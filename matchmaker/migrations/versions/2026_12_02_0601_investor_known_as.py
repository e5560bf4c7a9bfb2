"""investor known_as: the texts an organiser chose each investor for at the signing desk

A typed name that resolved to no investor with confidence, for which the organiser picked
one of the candidates, is kept on that investor; it then resolves to it when written
exactly (and never as part of another name). Staff can forget one (/investors/learned).

Revision ID: 0601_investor_known_as
Revises: 1404_project_attachments
Create Date: 2026-12-02 06:01:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0601_investor_known_as"
down_revision = "1404_project_attachments"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("investors") as batch:
        batch.add_column(sa.Column("known_as", sa.JSON(), nullable=False, server_default="[]"))


def downgrade():
    with op.batch_alter_table("investors") as batch:
        batch.drop_column("known_as")
