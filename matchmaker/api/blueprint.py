"""The JSON API, prefix /api/v1. Each feature's routes live in their own module here."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Route modules register themselves on `bp` (imported for that side effect).
from matchmaker.api import (  # noqa: E402, F401
    catalogues,
    investors,
    openapi,
    projects,
    reference,
    signing,
)
