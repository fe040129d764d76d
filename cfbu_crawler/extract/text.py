"""Text normalisation shared by every extractor: NFC, collapsed whitespace, stripped."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Characters that render as (or instead of) nothing or a space but are not all
# ``str.isspace()``: zero-width space/joiners, BOM, soft hyphen, word joiner.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# C0/C1 control characters other than ordinary whitespace (binary junk).
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Either of the two (one search instead of two substitutions on ordinary text).
_ODD = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x08\x0e-\x1f\x7f-\x9f]")


def normalise_text(s: object) -> str:
    """NFC-normalise ``s`` and collapse every run of whitespace to one space; strip the ends.

    NBSP, zero-width spaces and the other Unicode spaces all count as whitespace; control
    characters are dropped. Entities are expected to be decoded already.
    """
    if not s:
        return ""
    if not isinstance(s, str):
        s = str(s)
    if _ODD.search(s) is not None:
        s = _INVISIBLE.sub(" ", s)
        s = _CONTROL.sub("", s)
    if not s.isascii():  # ASCII text is NFC already
        s = unicodedata.normalize("NFC", s)
    # str.split() splits at exactly what ``\s`` matches (str.isspace), and drops the ends.
    return " ".join(s.split())


def normalise_paragraphs(s: str) -> str:
    """Normalise each ``\\n\\n``-separated paragraph of ``s``, drop empties, rejoin."""
    if not s:
        return ""
    parts = (normalise_text(p) for p in str(s).split("\n\n"))
    return "\n\n".join(p for p in parts if p)


def _opt(value: Any) -> str | None:
    if value is None:
        return None
    text = normalise_text(str(value))
    return text or None


def normalise_record(record: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``record`` with every text field normalised (idempotent).

    ``title``/``category``/``lead`` become ``None`` when empty; ``body`` and each qa
    ``answer`` are normalised paragraph by paragraph.
    """
    out = dict(record)
    for key in ("title", "category", "lead"):
        if key in out:
            out[key] = _opt(out[key])
    if "breadcrumb" in out:
        labels = (normalise_text(str(x)) for x in (out["breadcrumb"] or []) if x is not None)
        out["breadcrumb"] = [x for x in labels if x]
    if "body" in out:
        out["body"] = normalise_paragraphs(out["body"] or "")
    if "qa" in out:
        qa = []
        for pair in out["qa"] or []:
            if not isinstance(pair, dict):
                continue
            qa.append(
                {
                    **pair,
                    "question": normalise_text(str(pair.get("question") or "")),
                    "answer": normalise_paragraphs(str(pair.get("answer") or "")),
                }
            )
        out["qa"] = qa
    return out
