"""Liveness and readiness for load balancers and orchestrators.

GET /healthz: the process answers (no database touched). GET /readyz: the database (and
Redis, when configured) answer; 503 with a JSON body naming what is down otherwise.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from matchmaker.extensions import db
from matchmaker.jobs import redis_connection

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    checks: dict[str, str] = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # any failure to reach it means "not ready"
        db.session.rollback()
        log.warning("readiness: database unreachable: %s", str(error).splitlines()[0])
        checks["database"] = "unreachable"
    if current_app.config.get("REDIS_URL"):

        try:
            redis_connection().ping()
            checks["redis"] = "ok"
        except Exception as error:
            log.warning("readiness: redis unreachable: %s", error)
            checks["redis"] = "unreachable"
    ready = all(value == "ok" for value in checks.values())
    body = {"status": "ready" if ready else "unavailable", "checks": checks}
    return jsonify(body), 200 if ready else 503
