"""The interview, pure: what a typed line means, what to ask next, what an answer changes.

Layer 4: imports `scoring` and below; the terminal loop lives in `cli.audit_session`.
"""
