"""The report: its context built in Python, charts, Markdown helpers and summaries, rendering.

Layer 4: imports `scoring` and below, never `cli`.
"""
