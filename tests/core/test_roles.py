"""Every write route is guarded by a role, and refuses every other role (pages and API).

This walks the app's URL map, so a feature's new write route is covered the day it lands.
"""

import pytest
from conftest import csrf_token
from factories import make_user

from matchmaker.accounts.models import Role
from matchmaker.accounts.operations import create_token
from matchmaker.extensions import db

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Writes anyone may make: signing in/up/out, one's own tokens, and API reads sent as POST.
OPEN_WRITES = {
    "accounts.login", "accounts.signup", "accounts.logout", "accounts.tokens",
    "accounts.revoke_own_token",  # only the owner's token (404 for anyone else's)
    "api.match",  # POST /api/v1/match computes matches; it writes nothing
    "search.index",
}
ROLES = [Role.INVESTOR, Role.STAFF, Role.ORGANIZER]


def write_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint in OPEN_WRITES:
            continue
        methods = (rule.methods or set()) & WRITE_METHODS
        if methods:
            yield rule, sorted(methods)[0]


def url_for_rule(rule) -> str:
    # Fill every converter with 1: the role check runs before anything is loaded.
    return rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]


def test_every_write_route_requires_a_role(app):
    unguarded = [
        rule.endpoint for rule, _method in write_rules(app)
        if not getattr(app.view_functions[rule.endpoint], "required_roles", None)
    ]
    assert unguarded == []


@pytest.mark.parametrize("role", ROLES)
def test_pages_refuse_other_roles(app, client, login, role):
    login(make_user(role))
    token = csrf_token(client)
    checked = 0
    for rule, method in write_rules(app):
        if rule.endpoint.startswith("api."):
            continue
        allowed = app.view_functions[rule.endpoint].required_roles
        if role in allowed:
            continue
        response = client.open(url_for_rule(rule), method=method, data={"csrf_token": token})
        assert response.status_code == 403, (rule.rule, role, response.status_code)
        checked += 1
    assert checked > 0


@pytest.mark.parametrize("role", ROLES)
def test_api_refuses_other_roles_and_missing_tokens(app, client, role):
    user = make_user(role)
    plain, _ = create_token(user)
    db.session.commit()
    for rule, method in write_rules(app):
        if not rule.endpoint.startswith("api."):
            continue
        url = url_for_rule(rule)
        anonymous = client.open(url, method=method, json={})
        assert anonymous.status_code == 401, (rule.rule, anonymous.status_code)
        assert anonymous.json["error"]["code"] == "unauthorized"
        allowed = app.view_functions[rule.endpoint].required_roles
        if role in allowed:
            continue
        response = client.open(url, method=method, json={}, headers={"Authorization": f"Bearer {plain}"})
        assert response.status_code == 403, (rule.rule, role, response.status_code)
        assert response.json["error"]["code"] == "forbidden"


def test_anonymous_page_write_goes_to_sign_in(app, client):
    for rule, method in write_rules(app):
        if rule.endpoint.startswith("api."):
            continue
        response = client.open(url_for_rule(rule), method=method, data={"csrf_token": csrf_token(client)})
        assert response.status_code == 302 and "/login" in response.headers["Location"], rule.rule
