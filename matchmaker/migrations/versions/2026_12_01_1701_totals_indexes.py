"""totals: running tallies of agreements kept by triggers, and covering indexes

`agreement_tallies` holds a count and a sum per (dimension, key, session, kind, voided);
triggers on `agreements` add each inserted row and take away each deleted one (an update
is both), in the writer's own transaction, whatever wrote it (ORM, Core, SQL). The
signing totals read these rows; the covering indexes serve the exact grouped statement
the totals fall back to and check against (signing.totals.grouped_tallies).

Dimensions (key): 0 session (0), 1 project (catalogue agreements), 2 sector and
3 region (off-catalogue agreements; 0 for none), 4 investor.

Revision ID: 1701_totals_indexes
Revises: 1601_editions
Create Date: 2026-12-01 14:00:00

"""
import sqlalchemy as sa
from alembic import op

import matchmaker.db

revision = "1701_totals_indexes"
down_revision = "1601_editions"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_agreements_tally_session": ["session_id", "kind", "voided", "amount_yuan"],
    "ix_agreements_tally_placement": [
        "project_id", "sector_id", "region_id", "voided", "kind", "amount_yuan",
    ],
    "ix_agreements_tally_investor": ["investor_id", "voided", "kind", "amount_yuan"],
}
WATCHED = "session_id, kind, voided, project_id, sector_id, region_id, investor_id, amount_yuan"
# (dimension, key, condition) of one agreement row `r`.
DIMENSIONS = [
    (0, "0", None),
    (1, "{r}.project_id", "{r}.project_id IS NOT NULL"),
    (2, "COALESCE({r}.sector_id, 0)", "{r}.project_id IS NULL"),
    (3, "COALESCE({r}.region_id, 0)", "{r}.project_id IS NULL"),
    (4, "{r}.investor_id", None),
]


def _tally_statements(row: str, sign: str) -> list[str]:
    statements = []
    for dimension, key, condition in DIMENSIONS:
        where = condition.format(r=row) if condition else "1 = 1"
        statements.append(
            "INSERT INTO agreement_tallies (dimension, key, session_id, kind, voided, agreements, yuan) "
            f"SELECT {dimension}, {key.format(r=row)}, {row}.session_id, {row}.kind, {row}.voided, "
            f"{sign}1, {sign}{row}.amount_yuan WHERE {where} "
            "ON CONFLICT (dimension, key, session_id, kind, voided) DO UPDATE SET "
            "agreements = agreement_tallies.agreements + excluded.agreements, "
            "yuan = agreement_tallies.yuan + excluded.yuan;"
        )
    return statements


def _backfill() -> list[str]:
    statements = []
    for dimension, key, condition in DIMENSIONS:
        key_sql = key.format(r="a")
        where = f"WHERE {condition.format(r='a')}" if condition else ""
        group = ("" if key_sql == "0" else f"{key_sql}, ") + "a.session_id, a.kind, a.voided"
        statements.append(
            "INSERT INTO agreement_tallies (dimension, key, session_id, kind, voided, agreements, yuan) "
            f"SELECT {dimension}, {key_sql}, a.session_id, a.kind, a.voided, count(*), sum(a.amount_yuan) "
            f"FROM agreements a {where} GROUP BY {group}"
        )
    return statements


def _create_triggers() -> None:
    if op.get_context().dialect.name == "postgresql":
        body = "\n".join(
            ["IF TG_OP <> 'INSERT' THEN", *_tally_statements("OLD", "-"), "END IF;",
             "IF TG_OP <> 'DELETE' THEN", *_tally_statements("NEW", ""), "END IF;",
             "RETURN NULL;"]
        )
        op.execute(
            "CREATE OR REPLACE FUNCTION agreements_tally() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{body}\nEND;\n$$"
        )
        op.execute(
            "CREATE TRIGGER agreements_tally AFTER INSERT OR DELETE OR UPDATE OF "
            f"{WATCHED} ON agreements FOR EACH ROW EXECUTE FUNCTION agreements_tally()"
        )
        return
    added, taken = _tally_statements("NEW", ""), _tally_statements("OLD", "-")
    op.execute("CREATE TRIGGER agreements_tally_insert AFTER INSERT ON agreements BEGIN\n"
               + "\n".join(added) + "\nEND")
    op.execute("CREATE TRIGGER agreements_tally_delete AFTER DELETE ON agreements BEGIN\n"
               + "\n".join(taken) + "\nEND")
    op.execute(f"CREATE TRIGGER agreements_tally_update AFTER UPDATE OF {WATCHED} ON agreements BEGIN\n"
               + "\n".join(taken + added) + "\nEND")


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, "agreements", columns)
    op.create_table(
        "agreement_tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.SmallInteger(), nullable=False),
        sa.Column("key", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.Column("agreements", sa.Integer(), nullable=False),
        sa.Column("yuan", matchmaker.db.Money(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["signing_sessions.id"],
                                name=op.f("fk_agreement_tallies_session_id_signing_sessions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_tallies")),
        sa.UniqueConstraint("dimension", "key", "session_id", "kind", "voided",
                            name=op.f("uq_agreement_tallies_dimension_key_session_id_kind_voided")),
    )
    for statement in _backfill():
        op.execute(statement)
    _create_triggers()


def downgrade():
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER agreements_tally ON agreements")
        op.execute("DROP FUNCTION agreements_tally()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER agreements_tally_{name}")
    op.drop_table("agreement_tallies")
    for name in INDEXES:
        op.drop_index(name, table_name="agreements")
