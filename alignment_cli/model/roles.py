"""A role as people type it, read back as the rubric's role id.

`--role Marketing`, `--role marketing` and `--role "Revenue operations"` (a role's title) all
mean the same role, in every command that takes one; anything else is a usage error that lists
the ids and suggests the nearest one.
"""

from __future__ import annotations

import difflib
import unicodedata

from alignment_cli.errors import UsageError
from alignment_cli.model.models import Rubric


def _key(text: str) -> str:
    """Case, width and spacing do not count: 'Revenue  Operations' is 'revenue operations'."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def find_role(rubric: Rubric, given: str) -> str | None:
    """The id of the role `given` names, by id or title, or None."""
    wanted = _key(given)
    for role in rubric.roles:  # ids first: an id never loses to another role's title
        if _key(role.id) == wanted:
            return role.id
    for role in rubric.roles:
        if _key(role.title) == wanted:
            return role.id
    return None


def resolve_role(rubric: Rubric, given: str, *, option: str = "--role") -> str:
    """The role id for `given`, or UsageError naming the option, the ids and a close match."""
    found = find_role(rubric, given)
    if found is not None:
        return found
    names = {_key(r.id): r.id for r in rubric.roles} | {_key(r.title): r.id for r in rubric.roles}
    close = difflib.get_close_matches(_key(given), list(names), n=1)
    hint = f" (did you mean '{names[close[0]]}'?)" if close else ""
    ids = ", ".join(r.id for r in rubric.roles)
    raise UsageError(f"{option}: unknown role '{given}'{hint}; this rubric has: {ids}")
