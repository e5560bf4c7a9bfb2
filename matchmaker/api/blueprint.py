"""The JSON API's blueprint, prefix /api/v1. Each feature's routes live in their own module
here and add themselves to `bp`; `matchmaker.api` imports them all."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
