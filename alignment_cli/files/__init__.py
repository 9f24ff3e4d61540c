"""Files users hand us and files we write: guarded YAML, the fast reader, engagement folders,
answer files and their names.

Layer 2: imports `model` and below.
"""
