"""Readable word-level diffs of two texts, for the human output of ``diff`` and ``history``.

The texts are split into word and whitespace tokens and compared with :mod:`difflib`.
The difference is a list of ``(op, text)`` segments (:func:`diff_segments`), which the
command line renders in colour (cli/render.py: the archive knows no screen).
:func:`inline_diff` renders them as plain text: removed words as ``[-removed-]`` and added
ones as ``{+added+}`` (the ``git diff --word-diff`` convention). Long unchanged stretches
can be collapsed to a few words of context either side.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterable

# Words, single punctuation marks and the whitespace between them ("".join() restores).
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")

EQUAL, DELETE, INSERT = "equal", "delete", "insert"
Segment = tuple[str, str]  # (EQUAL | DELETE | INSERT, text)


def word_tokens(text: str | None) -> list[str]:
    """Word and whitespace tokens of ``text`` (``None`` counts as empty)."""
    return _TOKEN.findall(text or "")


def word_segments(old: str | None, new: str | None) -> list[Segment]:
    """The word-level difference of two texts as ``(op, text)`` segments in order.

    Joining the EQUAL and DELETE texts gives ``old``; joining EQUAL and INSERT gives ``new``.
    """
    a, b = word_tokens(old), word_tokens(new)
    # The common start and end are set aside before difflib matches the rest: an edit
    # changes a few words of a long body, and matching the whole of both texts took
    # most of the time of a diff that shows a thousand changed articles.
    start, end = _common_ends(a, b)
    segments: list[Segment] = []
    _append(segments, EQUAL, "".join(a[:start]))
    a_mid, b_mid = a[start : len(a) - end], b[start : len(b) - end]
    matcher = difflib.SequenceMatcher(None, a_mid, b_mid, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(segments, EQUAL, "".join(a_mid[i1:i2]))
            continue
        if tag in ("delete", "replace"):
            _append(segments, DELETE, "".join(a_mid[i1:i2]))
        if tag in ("insert", "replace"):
            _append(segments, INSERT, "".join(b_mid[j1:j2]))
    _append(segments, EQUAL, "".join(a[len(a) - end :]))
    return _merge_close_changes(_tidy(segments))


def _common_ends(a: list[str], b: list[str]) -> tuple[int, int]:
    """How many tokens ``a`` and ``b`` share at their start, and then at their end."""
    shortest = min(len(a), len(b))
    start = 0
    while start < shortest and a[start] == b[start]:
        start += 1
    end = 0
    while end < shortest - start and a[-1 - end] == b[-1 - end]:
        end += 1
    return start, end


def _merge_close_changes(segments: list[Segment]) -> list[Segment]:
    """Fold slight unchanged text (see ``_is_filler``) between two changes into them, so
    that a rewritten phrase reads ``[-old words-]{+new words+}`` rather than alternating
    word by word."""
    out: list[Segment] = []
    i = 0
    while i < len(segments):
        if _foldable(out, segments, i):
            i = _fold(out, segments, i)
        else:
            _append(out, *segments[i])
            i += 1
    return out


def _foldable(out: list[Segment], segments: list[Segment], i: int) -> bool:
    """Is ``segments[i]`` filler between the change ending ``out`` and the one after it,
    with old and new text around it?"""
    op, text = segments[i]
    return (
        op == EQUAL
        and _is_filler(text)
        and bool(out)
        and out[-1][0] != EQUAL
        and i + 1 < len(segments)
        and _has_both(out, segments, i)
    )


def _fold(out: list[Segment], segments: list[Segment], i: int) -> int:
    """Fold the filler ``segments[i]`` and the changes either side of it (the end of
    ``out``, the segments after ``i``) into one deletion and one insertion at the end of
    ``out``. Returns the index of the first segment after the changes that follow."""
    text = segments[i][1]
    before: list[Segment] = []
    while out and out[-1][0] != EQUAL:
        before.insert(0, out.pop())
    j = i + 1
    after: list[Segment] = []
    while j < len(segments) and segments[j][0] != EQUAL:
        after.append(segments[j])
        j += 1
    for side in (DELETE, INSERT):
        parts = [
            "".join(t for o, t in before if o == side),
            "".join(t for o, t in after if o == side),
        ]
        # The folded text was in both texts: it goes into both sides.
        _append(out, side, text.join(parts) if any(parts) else "")
    return j


def _is_filler(text: str) -> bool:
    """Unchanged text too slight to break up a change: spaces within a paragraph, a
    punctuation mark or a one- or two-letter word (``[-a b-]{+x b y+}`` reads better than
    ``[-a-]{+x+} b{+ y+}``)."""
    if "\n" in text:
        return False
    core = text.strip()
    return len(core) <= 2 and " " not in core


def _has_both(out: list[Segment], segments: list[Segment], i: int) -> bool:
    """Would folding the space at ``segments[i]`` leave text on both sides (old and new)?
    Only then can it go into both without changing either text."""
    ops: set[str] = set()
    for op, _ in reversed(out):
        if op == EQUAL:
            break
        ops.add(op)
    for op, _ in segments[i + 1 :]:
        if op == EQUAL:
            break
        ops.add(op)
    return ops == {DELETE, INSERT}


def _append(segments: list[Segment], op: str, text: str) -> None:
    if not text:
        return
    if segments and segments[-1][0] == op:
        segments[-1] = (op, segments[-1][1] + text)
    else:
        segments.append((op, text))


def _tidy(segments: list[Segment]) -> list[Segment]:
    """Move whitespace at the edges of changed segments out into the unchanged text, so
    that ``a [-b -]{+c +}d`` reads ``a [-b-]{+c+} d``."""
    out: list[Segment] = []
    # Runs of unchanged segments and runs of consecutive changed ones.
    for changed, group in itertools.groupby(segments, key=lambda segment: segment[0] != EQUAL):
        run = list(group)
        if changed and {op for op, _ in run} == {DELETE, INSERT}:
            _tidy_replacement(out, run)
        else:  # unchanged text, or a pure insertion or deletion: kept as it is
            for op, t in run:
                _append(out, op, t)
    return out


def _tidy_replacement(out: list[Segment], run: list[Segment]) -> None:
    """Append a run of deletions and insertions to ``out``, with the whitespace that all
    of them start (end) with moved before (after) them as unchanged text."""
    lead = min(len(t) - len(t.lstrip()) for _, t in run)
    trail = min(len(t) - len(t.rstrip()) for _, t in run)
    if lead and all(t[:lead] == run[0][1][:lead] for _, t in run):
        _append(out, EQUAL, run[0][1][:lead])
        run = [(op, t[lead:]) for op, t in run]
    suffix = ""
    if trail and all(_last(t, trail) == _last(run[0][1], trail) for _, t in run):
        suffix = _last(run[0][1], trail)
        run = [(op, t[: len(t) - trail]) for op, t in run]
    for op, t in run:
        _append(out, op, t)
    _append(out, EQUAL, suffix)


def _last(text: str, n: int) -> str:
    """The last ``n`` characters of ``text`` (none for ``n == 0``)."""
    return text[len(text) - n :]


def _collapse(text: str, context: int, *, first: bool, last: bool) -> str:
    """Shorten an unchanged stretch to ``context`` words next to the changes around it."""
    words = word_tokens(text)
    keep_head, keep_tail = not first, not last
    n_words = sum(1 for t in words if not t.isspace())
    if not (keep_head or keep_tail) or n_words <= context * (keep_head + keep_tail) + 1:
        return text
    head = _head(words, context) if keep_head else ""
    tail = _tail(words, context) if keep_tail else ""
    if keep_head and keep_tail:
        return f"{head} … {tail}"
    return f"{head} …" if keep_head else f"… {tail}"


def _head(words: list[str], n: int) -> str:
    """The first ``n`` words of a token list (with the whitespace between them)."""
    out: list[str] = []
    seen = 0
    for t in words:
        if not t.isspace():
            if seen == n:
                break
            seen += 1
        out.append(t)
    return "".join(out).rstrip()


def _tail(words: list[str], n: int) -> str:
    """The last ``n`` words of a token list."""
    out: list[str] = []
    seen = 0
    for t in reversed(words):
        if not t.isspace():
            if seen == n:
                break
            seen += 1
        out.append(t)
    return "".join(reversed(out)).lstrip()


def _collapsed(segments: list[Segment], context: int | None) -> Iterable[Segment]:
    if context is None or not any(op != EQUAL for op, _ in segments):
        yield from segments
        return
    last_index = len(segments) - 1
    for i, (op, text) in enumerate(segments):
        if op == EQUAL:
            text = _collapse(text, context, first=i == 0, last=i == last_index)
        yield op, text


def diff_segments(old: str | None, new: str | None, *, context: int | None = None) -> list[Segment]:
    """:func:`word_segments`, with each unchanged stretch cut to ``context`` words next to
    the changes around it (``None``: kept whole). What a screen shows of a diff."""
    return list(_collapsed(word_segments(old, new), context))


def _plain(op: str, text: str) -> str:
    if op == DELETE:
        return f"[-{text}-]"
    if op == INSERT:
        return f"{{+{text}+}}"
    return text


def inline_diff(old: str | None, new: str | None, *, context: int | None = None) -> str:
    """Plain-text word diff: ``unchanged [-removed-]{+added+} unchanged``.

    With ``context``, unchanged stretches are cut to that many words around each change.
    """
    return "".join(_plain(op, text) for op, text in diff_segments(old, new, context=context))


def has_changes(old: str | None, new: str | None) -> bool:
    return (old or "") != (new or "")


__all__ = [
    "DELETE",
    "EQUAL",
    "INSERT",
    "Segment",
    "diff_segments",
    "has_changes",
    "inline_diff",
    "word_segments",
    "word_tokens",
]
