"""API routes for this feature: filled in by the feature's issue."""

from matchmaker.api.blueprint import bp  # noqa: F401

PATHS: dict = {}
