"""Declarative base, constraint naming convention and the column types every model uses."""

from __future__ import annotations

import enum
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.types import TypeDecorator

from matchmaker.money import FEN, to_yuan

# Alembic's revisions (Flask-Migrate): the app factory, `matchmaker init` and tests use it.
MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite in WAL mode: readers go on while a long import holds the write lock."""

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout = 5000")
        cursor.close()


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Money(TypeDecorator):
    """Exact yuan with two decimals, as `Decimal`.

    PostgreSQL stores NUMERIC(20, 2). SQLite has no decimal type (SQLAlchemy would go
    through float), so there the value is an integer number of fen: sums in SQL stay
    exact on both databases and always come back as `Decimal`.
    """

    impl = sa.Numeric(20, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.Numeric(20, 2, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("Money never takes a float; pass a Decimal or a string")
        amount = to_yuan(value)
        if dialect.name == "sqlite":
            return int(amount / FEN)
        return amount

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) * FEN).quantize(FEN)
        return Decimal(value).quantize(FEN)

    def coerce_compared_value(self, op, value):
        return self


class money_sum(GenericFunction):  # noqa: N801 - used like sa.func.sum
    """`SUM` of a Money column that cannot overflow on either database.

    PostgreSQL sums NUMERIC without limit. SQLite stores integer fen and its SUM raises
    "integer overflow" past 2^63 fen (10 agreements of 100,000,000亿元 did, and every page
    showing totals answered 500 from then on). There the sum is split into a high part
    (fen // 10^9) and a low part (fen % 10^9), each summed without overflow, and joined as
    decimal text that the Money type reads back exactly. Amounts are never negative."""

    type = Money()
    inherit_cache = True


@compiles(money_sum)
def _money_sum_default(element, compiler, **kw):
    return f"sum({compiler.process(element.clauses, **kw)})"


@compiles(money_sum, "sqlite")
def _money_sum_sqlite(element, compiler, **kw):
    x = compiler.process(element.clauses, **kw)
    low = f"sum(({x}) % 1000000000)"
    high = f"(sum(({x}) / 1000000000) + {low} / 1000000000)"
    return f"(CAST({high} AS TEXT) || printf('%09d', {low} % 1000000000))"


class among(sa.sql.expression.ColumnElement):  # noqa: N801 - used like sa.and_
    """`column IN (values)` bound as ONE parameter: on PostgreSQL an array (`= ANY`), planned
    once whatever the number of values; elsewhere an expanding list (SQLite allows 32,766
    parameters per statement: callers keep lists under that). A Python list written into
    `in_()` instead is coerced value by value each time a statement is built, and PostgreSQL
    then parses and plans a parameter per value (0.3 s for 1,000 codes under load)."""

    type = sa.Boolean()
    inherit_cache = False  # the values are part of the construct, not of the statement's key

    def __init__(self, column: sa.ColumnElement, values) -> None:
        self.column = column
        self.values = list(values)


@compiles(among)
def _among_default(element, compiler, **kw):
    listed = sa.bindparam(None, element.values, expanding=True, type_=element.column.type)
    return compiler.process(element.column.in_(listed), **kw)


@compiles(among, "postgresql")
def _among_postgresql(element, compiler, **kw):
    array = sa.bindparam(None, element.values, type_=postgresql.ARRAY(element.column.type))
    return compiler.process(element.column == sa.any_(array), **kw)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both databases (SQLite keeps naive UTC)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def savepoint(session):
    """`session.begin_nested()` that is a real savepoint on SQLite too.

    pysqlite starts its transaction lazily (at the first INSERT/UPDATE), so a SAVEPOINT
    issued before any write opens the outermost transaction and its RELEASE commits (an
    early commit and an fsync per call). Beginning explicitly first avoids that."""
    connection = session.connection()
    if (
        connection.dialect.name == "sqlite"
        and not connection.connection.driver_connection.in_transaction
    ):
        connection.exec_driver_sql("BEGIN")
    return session.begin_nested()


def str_enum(enum_cls: type[enum.StrEnum], name: str) -> sa.Enum:
    """A StrEnum stored as a plain string with a named CHECK constraint (non-native)."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
