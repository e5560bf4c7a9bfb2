"""The JSON API: `bp` with every route module's routes (imported here for that)."""

from matchmaker.api import catalogues, investors, openapi, projects, reference, signing
from matchmaker.api.blueprint import bp

__all__ = ["bp", "catalogues", "investors", "openapi", "projects", "reference", "signing"]
