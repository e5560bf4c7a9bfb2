"""This feature's `matchmaker` commands (filled in by its issue)."""

commands: list = []
