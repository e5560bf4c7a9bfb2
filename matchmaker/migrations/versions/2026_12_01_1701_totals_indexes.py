"""totals: running tallies of agreements kept by triggers, and covering indexes

`agreement_tallies` holds a count and a sum per (dimension, key, session, kind, voided);
triggers on `agreements` add each inserted row and take away each deleted one (an update
is both), in the writer's own transaction, whatever wrote it (ORM, Core, SQL): row-level
on SQLite, statement-level with transition tables on PostgreSQL (one grouped upsert per
statement). The
signing totals read these rows; the covering indexes serve the exact grouped statement
the totals fall back to and check against (signing.totals.grouped_tallies).

Dimensions (key): 0 session (0), 1 project (catalogue agreements), 2 sector and
3 region (off-catalogue agreements; 0 for none), 4 investor, 5 currency (0; the
currency column and the original amounts of foreign-currency agreements).

Revision ID: 1701_totals_indexes
Revises: 1502_meetings
Create Date: 2026-12-01 14:00:00

"""
import sqlalchemy as sa
from alembic import op

import matchmaker.db

revision = "1701_totals_indexes"
down_revision = "1502_meetings"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_agreements_tally_session": ["session_id", "kind", "voided", "amount_yuan"],
    "ix_agreements_tally_placement": [
        "project_id", "sector_id", "region_id", "voided", "kind", "amount_yuan",
    ],
    "ix_agreements_tally_investor": ["investor_id", "voided", "kind", "amount_yuan"],
}
WATCHED = ("session_id, kind, voided, project_id, sector_id, region_id, investor_id, amount_yuan, "
           "currency, amount_original")
# (dimension, key, condition) of one agreement row `r`.
DIMENSIONS = [
    (0, "0", None),
    (1, "{r}.project_id", "{r}.project_id IS NOT NULL"),
    (2, "COALESCE({r}.sector_id, 0)", "{r}.project_id IS NULL"),
    (3, "COALESCE({r}.region_id, 0)", "{r}.project_id IS NULL"),
    (4, "{r}.investor_id", None),
    (5, "0", "{r}.currency <> 'CNY'"),
]
COLUMNS = "dimension, key, currency, session_id, kind, voided, agreements, yuan, amount_original"
CONFLICT = (
    "ON CONFLICT (dimension, key, currency, session_id, kind, voided) DO UPDATE SET "
    "agreements = agreement_tallies.agreements + excluded.agreements, "
    "yuan = agreement_tallies.yuan + excluded.yuan, "
    "amount_original = agreement_tallies.amount_original + excluded.amount_original;"
)


def _currency(dimension: int, row: str) -> str:
    return f"{row}.currency" if dimension == 5 else "''"


def _original(dimension: int, row: str) -> str:
    return f"COALESCE({row}.amount_original, 0)" if dimension == 5 else "0"


def _tally_statements(row: str, sign: str) -> list[str]:
    statements = []
    for dimension, key, condition in DIMENSIONS:
        where = condition.format(r=row) if condition else "1 = 1"
        statements.append(
            f"INSERT INTO agreement_tallies ({COLUMNS}) "
            f"SELECT {dimension}, {key.format(r=row)}, {_currency(dimension, row)}, {row}.session_id, "
            f"{row}.kind, {row}.voided, {sign}1, {sign}{row}.amount_yuan, "
            f"{sign}{_original(dimension, row)} WHERE {where} {CONFLICT}"
        )
    return statements


def _backfill() -> list[str]:
    statements = []
    for dimension, key, condition in DIMENSIONS:
        key_sql = key.format(r="a")
        where = f"WHERE {condition.format(r='a')}" if condition else ""
        group = ("" if key_sql == "0" else f"{key_sql}, ") + "a.session_id, a.kind, a.voided"
        if dimension == 5:
            group += ", a.currency"
        statements.append(
            f"INSERT INTO agreement_tallies ({COLUMNS}) "
            f"SELECT {dimension}, {key_sql}, {_currency(dimension, 'a')}, a.session_id, a.kind, a.voided, "
            f"count(*), sum(a.amount_yuan), sum({_original(dimension, 'a')}) "
            f"FROM agreements a {where} GROUP BY {group}"
        )
    return statements


def _statement_level_sql(source: str) -> str:
    """PostgreSQL: one upsert per changed tally for a whole statement (`source` yields the
    changed rows with a `sign`), grouped, so a bulk statement touches each tally once
    (updating one row many times in a transaction leaves a chain of versions to walk)."""
    parts = []
    for dimension, key, condition in DIMENSIONS:
        where = f" WHERE {condition.format(r='r')}" if condition else ""
        parts.append(
            f"SELECT {dimension} AS dimension, {key.format(r='r')} AS key, "
            f"{_currency(dimension, 'r')} AS currency, r.session_id, r.kind, r.voided, r.sign AS n, "
            f"r.sign * r.amount_yuan AS yuan, r.sign * {_original(dimension, 'r')} AS original "
            f"FROM ({source}) AS r{where}"
        )
    return (
        f"INSERT INTO agreement_tallies ({COLUMNS}) "
        "SELECT dimension, key, currency, session_id, kind, voided, sum(n), sum(yuan), sum(original) "
        f"FROM ({' UNION ALL '.join(parts)}) AS changes "
        "GROUP BY dimension, key, currency, session_id, kind, voided "
        "HAVING sum(n) <> 0 OR sum(yuan) <> 0 OR sum(original) <> 0 "
        f"{CONFLICT}"
    )


PG_SOURCES = {
    "insert": ("REFERENCING NEW TABLE AS new_rows", "SELECT *, 1 AS sign FROM new_rows"),
    "delete": ("REFERENCING OLD TABLE AS old_rows", "SELECT *, -1 AS sign FROM old_rows"),
    "update": ("REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
               "SELECT *, -1 AS sign FROM old_rows UNION ALL SELECT *, 1 AS sign FROM new_rows"),
}


def _create_triggers() -> None:
    if op.get_context().dialect.name == "postgresql":
        for event, (referencing, source) in PG_SOURCES.items():
            op.execute(
                f"CREATE OR REPLACE FUNCTION agreements_tally_{event}() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$\nBEGIN\n{_statement_level_sql(source)}\nRETURN NULL;\nEND;\n$$"
            )
            op.execute(
                f"CREATE TRIGGER agreements_tally_{event} AFTER {event.upper()} ON agreements "
                f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION agreements_tally_{event}()"
            )
        return
    # SQLite has row-level triggers only (and updates rows in place).
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
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("agreements", sa.Integer(), nullable=False),
        sa.Column("yuan", matchmaker.db.Money(), nullable=False),
        sa.Column("amount_original", matchmaker.db.Money(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["signing_sessions.id"],
                                name=op.f("fk_agreement_tallies_session_id_signing_sessions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_tallies")),
        sa.UniqueConstraint(
            "dimension", "key", "currency", "session_id", "kind", "voided",
            name=op.f("uq_agreement_tallies_dimension_key_currency_session_id_kind_voided"),
        ),
    )
    for statement in _backfill():
        op.execute(statement)
    _create_triggers()


def downgrade():
    postgresql = op.get_context().dialect.name == "postgresql"
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER agreements_tally_{event}" + (" ON agreements" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION agreements_tally_{event}()")
    op.drop_table("agreement_tallies")
    for name in INDEXES:
        op.drop_index(name, table_name="agreements")
