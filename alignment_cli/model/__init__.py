"""The rubric: its definition (pydantic models), expressions, and loading with every check.

Layer 1, above `errors` and `clock` only. See README, "Map of the code".
"""
