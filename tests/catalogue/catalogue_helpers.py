"""Fixtures of the catalogue tests (imported by the test modules: a second conftest.py
would shadow the root one for `from conftest import csrf_token`)."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from matchmaker.extensions import db

DATA = Path(__file__).resolve().parents[1] / "data" / "catalogue"
IMPORT = DATA / "import"


@pytest.fixture(name="read")
def read_fixture():
    def _read(name: str) -> bytes:
        path = IMPORT / name if (IMPORT / name).exists() else DATA / name
        return path.read_bytes()

    return _read


@pytest.fixture(name="state")
def state_fixture():
    return database_state


def database_state() -> dict:
    """Every row of the tables an import writes, to compare before/after."""
    from matchmaker.audit import AuditEvent
    from matchmaker.catalogue.models import Catalogue, ImportBatch, Project, project_sectors

    def rows(table, order):
        return [tuple(r) for r in db.session.execute(sa.select(table).order_by(*order))]

    return {
        "catalogues": rows(Catalogue.__table__, [Catalogue.__table__.c.id]),
        "projects": rows(Project.__table__, [Project.__table__.c.id]),
        "links": rows(project_sectors, [project_sectors.c.project_id, project_sectors.c.sector_id]),
        "audit": rows(AuditEvent.__table__, [AuditEvent.__table__.c.id]),
        "batches": rows(ImportBatch.__table__, [ImportBatch.__table__.c.id]),
    }
