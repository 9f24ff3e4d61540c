"""The one clock, and the one rule for times without a zone.

Every "now" in the tool comes from `now()`, so `ALIGNMENT_NOW` makes runs reproducible in tests
and CI. A time a user wrote without a zone (`updated: 2026-09-24 09:00:00`) is read as UTC,
once, where a file is validated (`as_utc`), so no comparison ever meets a naive time.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from alignment_cli.errors import UsageError

NOW_ENV = "ALIGNMENT_NOW"
"""Fixes the clock (ISO 8601, e.g. 2026-01-15T09:00:00Z): reproducible history in tests and CI."""


def as_utc(value: datetime) -> datetime:
    """The same instant in UTC; a time without a zone is taken to be UTC already.

    Raises ValueError (a validation error where a file is read) for a time whose UTC instant
    falls outside years 1 to 9999 (`9999-12-31T23:59:59-05:00`)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value.isoformat()} is outside the years 1 to 9999 in UTC") from None


def now() -> datetime:
    """Now, in UTC to the second; `ALIGNMENT_NOW` overrides it."""
    raw = os.environ.get(NOW_ENV, "").strip()
    if not raw:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{NOW_ENV}={raw!r} is not an ISO 8601 time (expected e.g. 2026-01-15T09:00:00Z)"
        ) from None
    return as_utc(value).replace(microsecond=0)


def timestamp(value: datetime) -> str:
    """`2026-09-24T09:00:00Z`: how answer files write a time (fractions of a second kept)."""
    return as_utc(value).isoformat().replace("+00:00", "Z")
