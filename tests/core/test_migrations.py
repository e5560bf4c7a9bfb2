"""The migrations build exactly the schema the models describe (SQLite and PostgreSQL)."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from matchmaker.app import MIGRATIONS_DIR
from matchmaker.extensions import db


def test_migrated_database_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_one_head_and_date_prefixed_revisions(app):
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    script = ScriptDirectory.from_config(config)
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        assert revision.module.__file__.split("/")[-1][:11].count("_") == 3  # 2026_11_21_…


def test_named_constraints(app):
    inspector = sa.inspect(db.engine)
    checks = {c["name"] for c in inspector.get_check_constraints("projects")}
    assert {"ck_projects_sought_non_negative", "ck_projects_total_non_negative"} <= checks
    uniques = {u["name"] for u in inspector.get_unique_constraints("projects")}
    assert "uq_projects_catalogue_id_code" in uniques
