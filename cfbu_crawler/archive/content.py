"""What counts as an article's content (docs/record.md): its fields, hash and diff."""

from __future__ import annotations

import hashlib
import json
from typing import Any

# The extracted fields that make a version (url is identity, not content).
from cfbu_crawler.record import CONTENT_FIELDS


def content_of(record: Any) -> dict[str, Any]:
    """The content fields of a record (dict or Version), with empty values made uniform."""
    get = record.get if isinstance(record, dict) else (lambda k, d=None: getattr(record, k, d))
    out: dict[str, Any] = {}
    for field in CONTENT_FIELDS:
        value = get(field, None)
        if field in ("breadcrumb", "qa"):
            value = list(value or [])
        elif field == "body":
            value = value or ""
        else:
            value = value or None
        out[field] = value
    return out


def content_hash(record: Any) -> str:
    """SHA-256 over the canonical JSON of the content fields."""
    canonical = json.dumps(
        content_of(record), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def changed_fields(old: Any, new: Any) -> list[str]:
    """Names of the content fields that differ between two records, in record order."""
    a, b = content_of(old), content_of(new)
    return [f for f in CONTENT_FIELDS if a[f] != b[f]]


__all__ = ["CONTENT_FIELDS", "changed_fields", "content_hash", "content_of"]
