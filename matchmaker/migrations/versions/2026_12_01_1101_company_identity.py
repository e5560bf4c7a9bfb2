"""company identity: investor review/merge/privacy columns, claims, cache generations

Revision ID: 1101_company_identity
Revises: 1304_jobs
Create Date: 2026-12-01 10:30:00

"""
import time

import sqlalchemy as sa
from alembic import op

import matchmaker.db

revision = "1101_company_identity"
down_revision = "1304_jobs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cache_generations",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", matchmaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cache_generations")),
    )
    now = sa.func.current_timestamp()
    with op.batch_alter_table("investors", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("updated_at", matchmaker.db.UTCDateTime(timezone=True), nullable=False,
                      server_default=now)
        )
        batch_op.add_column(sa.Column("created_via", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("needs_review", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("private", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_investors_merged_into_id_investors"), "investors", ["merged_into_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_investors_merged_into_id"), ["merged_into_id"], unique=False)
        batch_op.drop_constraint("uq_investors_name", type_="unique")
        batch_op.create_index(
            "uq_investors_public_name", ["name"], unique=True,
            sqlite_where=sa.text("private = 0"), postgresql_where=sa.text("NOT private"),
        )
    with op.batch_alter_table("investors", schema=None) as batch_op:
        batch_op.alter_column("updated_at", server_default=None)
        batch_op.alter_column("needs_review", server_default=None)
        batch_op.alter_column("private", server_default=None)
    op.create_table(
        "investor_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("pending", "approved", "rejected", name="claim_status",
                                    native_enum=False, create_constraint=True, length=32), nullable=False),
        sa.Column("written_name", sa.String(length=300), nullable=False),
        sa.Column("created_at", matchmaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", matchmaker.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_investor_claims_decided_by_id_users")),
        sa.ForeignKeyConstraint(["investor_id"], ["investors.id"], name=op.f("fk_investor_claims_investor_id_investors")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_investor_claims_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investor_claims")),
        sa.UniqueConstraint("user_id", "investor_id", name="uq_investor_claims_user_investor"),
    )
    with op.batch_alter_table("investor_claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_investor_claims_investor_id"), ["investor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_investor_claims_user_id"), ["user_id"], unique=False)
    # Users already linked to an investor keep it: their link was made before claims existed.
    op.execute(
        "INSERT INTO investor_claims (user_id, investor_id, status, written_name, created_at) "
        "SELECT id, investor_id, 'approved', '', created_at FROM users WHERE investor_id IS NOT NULL"
    )
    start = time.time_ns() // 1000
    op.bulk_insert(
        sa.table("cache_generations", sa.column("name", sa.String), sa.column("generation", sa.BigInteger),
                 sa.column("updated_at", matchmaker.db.UTCDateTime(timezone=True))),
        [{"name": name, "generation": start, "updated_at": matchmaker.db.utcnow()}
         for name in ("investor_names", "matching_projects")],
    )


def downgrade():
    with op.batch_alter_table("investor_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_investor_claims_user_id"))
        batch_op.drop_index(batch_op.f("ix_investor_claims_investor_id"))
    op.drop_table("investor_claims")
    with op.batch_alter_table("investors", schema=None) as batch_op:
        batch_op.drop_index("uq_investors_public_name")
        batch_op.create_unique_constraint("uq_investors_name", ["name"])
        batch_op.drop_index(batch_op.f("ix_investors_merged_into_id"))
        batch_op.drop_constraint(batch_op.f("fk_investors_merged_into_id_investors"), type_="foreignkey")
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("private")
        batch_op.drop_column("needs_review")
        batch_op.drop_column("created_via")
        batch_op.drop_column("updated_at")
    op.drop_table("cache_generations")
