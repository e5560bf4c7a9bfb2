"""users.locale: the language a person reads the platform in

Revision ID: 1403_user_locale
Revises: 1503_reminders
Create Date: 2026-12-01 15:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "1403_user_locale"
down_revision = "1503_reminders"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("locale")
