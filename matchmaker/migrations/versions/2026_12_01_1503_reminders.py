"""reminders: meeting reminders sent (day before, hour before); when a user's digest went out

Revision ID: 1503_reminders
Revises: 1604_agreement_links
Create Date: 2026-12-01 15:00:00

"""
import sqlalchemy as sa
from alembic import op

import matchmaker.db

revision = "1503_reminders"
down_revision = "1604_agreement_links"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "meeting_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("sent_at", matchmaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE",
                                name=op.f("fk_meeting_reminders_meeting_id_meetings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_reminders")),
        sa.UniqueConstraint("meeting_id", "kind", name="uq_meeting_reminders_meeting_kind"),
    )
    with op.batch_alter_table("notification_preferences") as batch:
        batch.add_column(sa.Column("digest_sent_at", matchmaker.db.UTCDateTime(timezone=True),
                                   nullable=True))


def downgrade():
    with op.batch_alter_table("notification_preferences") as batch:
        batch.drop_column("digest_sent_at")
    op.drop_table("meeting_reminders")
