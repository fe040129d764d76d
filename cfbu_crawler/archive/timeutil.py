"""Timestamps in the archive: naive UTC datetimes, rendered as ISO 8601 with ``Z``."""

from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def iso_utc(dt: datetime | None) -> str | None:
    """A naive UTC datetime as ISO 8601 text with ``Z`` (``2026-11-25T13:57:22Z``)."""
    return None if dt is None else dt.replace(microsecond=0).isoformat() + "Z"


def parse_iso(value: str) -> datetime:
    """ISO 8601 text (``Z`` or an offset) back to a naive UTC datetime."""
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt
