"""The rubric: its definition (pydantic models), expressions, and loading with every check.

Layer 1, above `errors`, `clock` and the YAML reader it loads rubrics with (`files.yamlio`).
See README, "Map of the code".
"""
