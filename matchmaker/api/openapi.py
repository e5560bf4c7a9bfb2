"""The OpenAPI document, assembled from each route module's PATHS."""

from flask import jsonify

from matchmaker.api import catalogues, investors, projects, reference, signing
from matchmaker.api.blueprint import bp

ROUTE_MODULES = (reference, projects, catalogues, investors, signing)


def build_spec() -> dict:
    paths: dict = {}
    for module in ROUTE_MODULES:
        paths.update(getattr(module, "PATHS", {}))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "matchmaker API",
            "version": "1",
            "description": (
                "Green-industry investment promotion. Amounts are decimal strings in yuan; "
                "inputs also accept '5亿元', '5000万'. Writes need 'Authorization: Bearer <token>'. "
                "Errors: {error: {code, message}}."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "paths": dict(sorted(paths.items())),
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(build_spec())
