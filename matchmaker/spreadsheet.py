"""Kept for code written before `matchmaker.sheets` (the one spreadsheet core) existed."""

from matchmaker.sheets import FORMULA_START, safe_cell, unneutralise

__all__ = ["FORMULA_START", "safe_cell", "unneutralise"]
