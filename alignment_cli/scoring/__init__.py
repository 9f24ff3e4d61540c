"""Scores: the pure scoring engine and its scorecard, comparisons, gates, saved runs, and the
pipeline that loads answer files and scores them.

Layer 3: imports `files`, `model` and below.
"""
