"""Schemathesis over the whole JSON API (its OpenAPI document), with a bounded budget:
whatever it generates, anonymous or with an admin's token, the answer is never a 500."""

from __future__ import annotations

import re

import pytest
import schemathesis
from factories import make_investor, make_project, make_session, make_user
from hypothesis import HealthCheck, given, settings

from matchmaker.accounts.models import Role
from matchmaker.accounts.operations import create_token
from matchmaker.extensions import db

EXAMPLES = 25  # per operation and identity


def operations(app):
    """Every operation of the served document, which must be every route of the API."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    found = [result.ok() for result in schema.get_all_operations()]
    routes = {(method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1")))
              for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi_json"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert {(o.method.upper(), o.path) for o in found} == routes
    assert len(found) >= 40
    return found


@pytest.mark.parametrize("identity", ["anonymous", "admin"])
def test_the_api_never_answers_500(app, identity):
    make_project()
    make_session()
    make_investor()
    headers = {}
    if identity == "admin":
        plain, _token = create_token(make_user(Role.ADMIN))
        db.session.commit()
        headers["Authorization"] = f"Bearer {plain}"
    failures, statuses, called = [], [], set()
    found = operations(app)
    for operation in found:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call(headers=headers)
            db.session.rollback()
            statuses.append(response.status_code)
            called.add((case.method.upper(), case.path))
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, case.query, case.body,
                                 response.status_code, response.text[:300]))

        check()
    assert failures == []
    assert called == {(o.method.upper(), o.path) for o in found}  # every operation was fuzzed
    assert len(statuses) >= 5 * len(found)  # the budget was spent
    assert {200, 400} <= set(statuses) or {200, 404} <= set(statuses)
