"""agreements.idempotency_fingerprint: a key is bound to its session and payload

Revision ID: 1302_idempotency_fingerprint
Revises: 1301_session_version
Create Date: 2026-12-01 10:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "1302_idempotency_fingerprint"
down_revision = "1301_session_version"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agreements") as batch_op:
        batch_op.add_column(sa.Column("idempotency_fingerprint", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("agreements") as batch_op:
        batch_op.drop_column("idempotency_fingerprint")
