"""meetings: the negotiation zone (meetings, their history, lead threads, zones and tables)

Revision ID: 1502_meetings
Revises: 1501_notifications
Create Date: 2026-12-01 14:30:00

"""
import sqlalchemy as sa
from alembic import op

import matchmaker.db

revision = "1502_meetings"
down_revision = "1501_notifications"
branch_labels = None
depends_on = None

STATUSES = ("requested", "proposed", "accepted", "declined", "scheduled", "held", "no_show",
            "cancelled")
OUTCOMES = ("no_further_contact", "follow_up", "negotiating", "agreement_expected")
SIDES = ("investor", "project", "organiser")


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade():
    op.create_table(
        "negotiation_zones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("days", sa.JSON(), nullable=False),
        sa.Column("day_start", sa.String(length=5), nullable=False),
        sa.Column("day_end", sa.String(length=5), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("breaks", sa.JSON(), nullable=False),
        sa.Column("investor_cap", sa.Integer(), nullable=False),
        sa.Column("project_cap", sa.Integer(), nullable=False),
        sa.Column("created_at", matchmaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", matchmaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("slot_minutes BETWEEN 5 AND 240",
                           name=op.f("ck_negotiation_zones_slot_minutes_range")),
        sa.CheckConstraint("investor_cap >= 1 AND project_cap >= 1",
                           name=op.f("ck_negotiation_zones_caps_positive")),
        sa.ForeignKeyConstraint(["edition_id"], ["editions.id"],
                                name=op.f("fk_negotiation_zones_edition_id_editions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_negotiation_zones")),
        sa.UniqueConstraint("edition_id", name=op.f("uq_negotiation_zones_edition_id")),
    )
    op.create_table(
        "zone_tables",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("interpreter", sa.String(length=8), nullable=True),
        sa.CheckConstraint("number >= 1", name=op.f("ck_zone_tables_number_positive")),
        sa.ForeignKeyConstraint(["zone_id"], ["negotiation_zones.id"], ondelete="CASCADE",
                                name=op.f("fk_zone_tables_zone_id_negotiation_zones")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zone_tables")),
        sa.UniqueConstraint("zone_id", "number", name="uq_zone_tables_zone_number"),
    )
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=True),
        sa.Column("status", _enum(STATUSES, "meeting_status"), nullable=False),
        sa.Column("awaiting", _enum(SIDES, "meeting_side"), nullable=True),
        sa.Column("outcome", _enum(OUTCOMES, "meeting_outcome"), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("availability", sa.JSON(), nullable=False),
        sa.Column("interpreter", sa.String(length=8), nullable=True),
        sa.Column("slot", sa.Integer(), nullable=True),
        sa.Column("table_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("checked_in_at", matchmaker.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", matchmaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", matchmaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(slot IS NULL) = (table_id IS NULL)",
                           name=op.f("ck_meetings_slot_with_table")),
        sa.CheckConstraint("slot IS NULL OR slot >= 0", name=op.f("ck_meetings_slot_non_negative")),
        sa.ForeignKeyConstraint(["edition_id"], ["editions.id"],
                                name=op.f("fk_meetings_edition_id_editions")),
        sa.ForeignKeyConstraint(["investor_id"], ["investors.id"],
                                name=op.f("fk_meetings_investor_id_investors")),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_meetings_lead_id_leads")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"],
                                name=op.f("fk_meetings_project_id_projects")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"],
                                name=op.f("fk_meetings_requested_by_id_users")),
        sa.ForeignKeyConstraint(["table_id"], ["zone_tables.id"],
                                name=op.f("fk_meetings_table_id_zone_tables")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint("table_id", "slot", name="uq_meetings_table_slot"),
        sa.UniqueConstraint("edition_id", "investor_id", "slot", name="uq_meetings_investor_slot"),
        sa.UniqueConstraint("edition_id", "project_id", "slot", name="uq_meetings_project_slot"),
    )
    for column in ("lead_id", "investor_id", "project_id", "edition_id", "table_id"):
        op.create_index(op.f(f"ix_meetings_{column}"), "meetings", [column])
    op.create_table(
        "meeting_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", matchmaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE",
                                name=op.f("fk_meeting_events_meeting_id_meetings")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_meeting_events_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_events")),
    )
    op.create_index(op.f("ix_meeting_events_meeting_id"), "meeting_events", ["meeting_id"])
    op.create_table(
        "lead_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("side", _enum(SIDES, "message_side"), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", matchmaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_lead_messages_author_id_users")),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], ondelete="CASCADE",
                                name=op.f("fk_lead_messages_lead_id_leads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_messages")),
    )
    op.create_index("ix_lead_messages_lead_created", "lead_messages", ["lead_id", "created_at"])


def downgrade():
    op.drop_index("ix_lead_messages_lead_created", table_name="lead_messages")
    op.drop_table("lead_messages")
    op.drop_index(op.f("ix_meeting_events_meeting_id"), table_name="meeting_events")
    op.drop_table("meeting_events")
    for column in ("lead_id", "investor_id", "project_id", "edition_id", "table_id"):
        op.drop_index(op.f(f"ix_meetings_{column}"), table_name="meetings")
    op.drop_table("meetings")
    op.drop_table("zone_tables")
    op.drop_table("negotiation_zones")
