"""Answers collected outside the terminal: answer forms and survey exports.

Layer 4: imports `scoring` and below, and `report.markdown` (escaping) for the printable form.
"""
