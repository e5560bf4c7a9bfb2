"""The served OpenAPI document is generated from the routes' schemas: it validates, it
documents every API route with its path parameters, and every answer has a schema."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

PUBLISHED_PATHS = {  # INTERFACES.md: paths people rely on keep their names
    ("get", "/sectors"), ("get", "/regions"), ("get", "/projects"), ("get", "/projects/{id}"),
    ("get", "/projects/{id}/investors"), ("post", "/catalogues"), ("get", "/investors/resolve"),
    ("post", "/match"), ("get", "/signing/sessions"),
    ("post", "/signing/sessions/{id}/agreements"), ("post", "/signing/agreements/{id}/void"),
    ("get", "/signing/totals"),
}


def test_the_served_openapi_document_validates(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)  # raises on an invalid document
    assert spec["openapi"] == "3.1.0" and spec["servers"] == [{"url": "/api/v1"}]
    operations = {(method, path) for path, item in spec["paths"].items() for method in item}
    assert PUBLISHED_PATHS <= operations


def test_every_api_route_is_documented_with_its_path_parameters(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi_json":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        assert path in spec["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = spec["paths"][path][method.lower()]
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(rule.arguments), (path, method)
            assert operation.get("summary") and not operation["summary"].endswith(">")
            for status, answer in operation["responses"].items():
                if status.startswith("2") and status != "204":
                    assert "content" in answer, (path, method, status)
            if operation.get("security"):
                assert {"401", "403"} <= set(operation["responses"]), path


def test_refusals_are_documented_and_answered_in_the_error_shape(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    error = spec["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["error"]
    answer = client.post("/api/v1/match?lang=en", json={"sectors": [1]})
    assert answer.status_code == 400
    assert answer.get_json() == {"error": {"code": "invalid", "field": "sectors",
                                           "message": "sectors must be a list of strings."}}
    answer = client.post("/api/v1/match?lang=zh", json={"keywords": ["光伏"]})
    assert answer.status_code == 400 and answer.get_json()["error"]["field"] == "keywords"
    assert answer.get_json()["error"]["message"] == "keywords 应为字符串。"  # in the reader's language
