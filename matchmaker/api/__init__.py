"""The JSON API's shared parts: the blueprint and `endpoint` (`blueprint.py`), bearer-token
authentication (`auth.py`), the error answers (`errors.py`) and the OpenAPI document
(`openapi.py`). Each feature's routes live in its own `api.py`, next to its operations and
schemas; the app factory imports them before registering `bp`."""

from matchmaker.api import openapi, reference
from matchmaker.api.blueprint import bp

__all__ = ["bp", "openapi", "reference"]
