"""editions: one record per forum year; catalogues and signing sessions belong to one

Creates one edition per year found in catalogues.year and signing_sessions.edition (with
the forum's default names), links every existing catalogue and session to it, and replaces
signing_sessions.edition (a year) by edition_id.

Revision ID: 1601_editions
Revises: 1001_real_sheets
Create Date: 2026-12-01 12:00:00

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import matchmaker.db

revision = "1601_editions"
down_revision = "1001_real_sheets"
branch_labels = None
depends_on = None


def _editions_table():
    return sa.table(
        "editions",
        sa.column("year", sa.Integer()),
        sa.column("name", sa.String()),
        sa.column("name_en", sa.String()),
        sa.column("target_yuan", matchmaker.db.Money()),
        sa.column("rates", sa.JSON()),
        sa.column("pinned", sa.Boolean()),
        sa.column("created_at", matchmaker.db.UTCDateTime()),
        sa.column("updated_at", matchmaker.db.UTCDateTime()),
    )


def upgrade():
    op.create_table(
        "editions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("target_yuan", matchmaker.db.Money(precision=20, scale=2), nullable=False),
        sa.Column("rates", sa.JSON(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("created_at", matchmaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", matchmaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name=op.f("ck_editions_year_range")),
        sa.CheckConstraint("target_yuan >= 0", name=op.f("ck_editions_target_non_negative")),
        sa.CheckConstraint(
            "starts_on IS NULL OR ends_on IS NULL OR ends_on >= starts_on",
            name=op.f("ck_editions_dates_in_order"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editions")),
        sa.UniqueConstraint("year", name=op.f("uq_editions_year")),
    )
    op.create_index(
        "uq_editions_pinned", "editions", ["pinned"], unique=True,
        sqlite_where=sa.text("pinned"), postgresql_where=sa.text("pinned"),
    )

    bind = op.get_bind()
    years = sorted(
        {row[0] for row in bind.execute(sa.text("SELECT DISTINCT year FROM catalogues"))}
        | {row[0] for row in bind.execute(sa.text("SELECT DISTINCT edition FROM signing_sessions"))}
    )
    now = datetime.now(UTC)
    if years:
        op.bulk_insert(_editions_table(), [
            {"year": year, "name": f"{year}年生态文明贵阳国际论坛",
             "name_en": f"Eco Forum Global Guiyang {year}", "target_yuan": 0, "rates": {},
             "pinned": False, "created_at": now, "updated_at": now}
            for year in years
        ])

    with op.batch_alter_table("catalogues", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edition_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE catalogues SET edition_id = (SELECT editions.id FROM editions "
        "WHERE editions.year = catalogues.year)"
    )
    with op.batch_alter_table("catalogues", schema=None) as batch_op:
        batch_op.alter_column("edition_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_catalogues_edition_id"), ["edition_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_catalogues_edition_id_editions"), "editions", ["edition_id"], ["id"]
        )

    with op.batch_alter_table("signing_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edition_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE signing_sessions SET edition_id = (SELECT editions.id FROM editions "
        "WHERE editions.year = signing_sessions.edition)"
    )
    with op.batch_alter_table("signing_sessions", schema=None) as batch_op:
        batch_op.alter_column("edition_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_signing_sessions_edition_id"), ["edition_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_signing_sessions_edition_id_editions"), "editions", ["edition_id"], ["id"]
        )
        batch_op.drop_column("edition")


def downgrade():
    with op.batch_alter_table("signing_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edition", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE signing_sessions SET edition = (SELECT editions.year FROM editions "
        "WHERE editions.id = signing_sessions.edition_id)"
    )
    with op.batch_alter_table("signing_sessions", schema=None) as batch_op:
        batch_op.alter_column("edition", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f("fk_signing_sessions_edition_id_editions"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_signing_sessions_edition_id"))
        batch_op.drop_column("edition_id")
    with op.batch_alter_table("catalogues", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_catalogues_edition_id_editions"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_catalogues_edition_id"))
        batch_op.drop_column("edition_id")
    op.drop_index("uq_editions_pinned", table_name="editions")
    op.drop_table("editions")
