"""Readable word-level diffs of two texts, for the human output of ``diff`` and ``history``.

The texts are split into word and whitespace tokens and compared with :mod:`difflib`.
Removed words are shown as ``[-removed-]`` and added ones as ``{+added+}`` (the
``git diff --word-diff`` convention), so the diff stays readable without colour; the rich
variant colours the same markers. Long unchanged stretches can be collapsed to a few
words of context either side.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable

from rich.markup import escape

# Words, single punctuation marks and the whitespace between them ("".join() restores).
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")

EQUAL, DELETE, INSERT = "equal", "delete", "insert"
Segment = tuple[str, str]  # (EQUAL | DELETE | INSERT, text)


def tokens(text: str | None) -> list[str]:
    """Word and whitespace tokens of ``text`` (``None`` counts as empty)."""
    return _TOKEN.findall(text or "")


def word_segments(old: str | None, new: str | None) -> list[Segment]:
    """The word-level difference of two texts as ``(op, text)`` segments in order.

    Joining the EQUAL and DELETE texts gives ``old``; joining EQUAL and INSERT gives ``new``.
    """
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(segments, EQUAL, "".join(a[i1:i2]))
            continue
        if tag in ("delete", "replace"):
            _append(segments, DELETE, "".join(a[i1:i2]))
        if tag in ("insert", "replace"):
            _append(segments, INSERT, "".join(b[j1:j2]))
    return _merge_close_changes(_tidy(segments))


def _merge_close_changes(segments: list[Segment]) -> list[Segment]:
    """Fold slight unchanged text (see ``_is_filler``) between two changes into them, so
    that a rewritten phrase reads ``[-old words-]{+new words+}`` rather than alternating
    word by word."""
    out: list[Segment] = []
    i = 0
    while i < len(segments):
        op, text = segments[i]
        if (
            op == EQUAL
            and _is_filler(text)
            and out
            and out[-1][0] != EQUAL
            and i + 1 < len(segments)
            and _has_both(out, segments, i)
        ):
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
            i = j
            continue
        _append(out, op, text)
        i += 1
    return out


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
    i = 0
    while i < len(segments):
        # A run of consecutive changed segments (a DELETE and/or an INSERT).
        if segments[i][0] == EQUAL:
            _append(out, EQUAL, segments[i][1])
            i += 1
            continue
        run: list[Segment] = []
        while i < len(segments) and segments[i][0] != EQUAL:
            run.append(segments[i])
            i += 1
        if {op for op, _ in run} != {DELETE, INSERT}:
            for op, t in run:  # a pure insertion or deletion: keep it as it is
                _append(out, op, t)
            continue
        lead = min(len(t) - len(t.lstrip()) for _, t in run)
        trail = min(len(t) - len(t.rstrip()) for _, t in run)
        if lead and all(t[:lead] == run[0][1][:lead] for _, t in run):
            _append(out, EQUAL, run[0][1][:lead])
            run = [(op, t[lead:]) for op, t in run]
        else:
            lead = 0
        suffix = ""
        if trail and all(
            t[len(t) - trail :] == run[0][1][len(run[0][1]) - trail :] for _, t in run
        ):
            suffix = run[0][1][len(run[0][1]) - trail :]
            run = [(op, t[: len(t) - trail]) for op, t in run]
        for op, t in run:
            _append(out, op, t)
        if suffix:
            _append(out, EQUAL, suffix)
    return out


def _collapse(text: str, context: int, *, first: bool, last: bool) -> str:
    """Shorten an unchanged stretch to ``context`` words next to the changes around it."""
    words = tokens(text)
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


def _render(
    old: str | None,
    new: str | None,
    context: int | None,
    style: Callable[[str, str], str],
) -> str:
    return "".join(style(op, text) for op, text in _collapsed(word_segments(old, new), context))


def _plain(op: str, text: str) -> str:
    if op == DELETE:
        return f"[-{text}-]"
    if op == INSERT:
        return f"{{+{text}+}}"
    return text


def _rich(op: str, text: str) -> str:
    if op == DELETE:
        return f"[red strike]{escape('[-' + text + '-]')}[/]"
    if op == INSERT:
        return f"[green]{escape('{+' + text + '+}')}[/]"
    return escape(text)


def inline_diff(old: str | None, new: str | None, *, context: int | None = None) -> str:
    """Plain-text word diff: ``unchanged [-removed-]{+added+} unchanged``.

    With ``context``, unchanged stretches are cut to that many words around each change.
    """
    return _render(old, new, context, _plain)


def rich_diff(old: str | None, new: str | None, *, context: int | None = None) -> str:
    """The same diff as rich console markup: removals red and struck through, additions
    green, with the ``[-…-]``/``{+…+}`` markers kept so it reads without colour too."""
    return _render(old, new, context, _rich)


def has_changes(old: str | None, new: str | None) -> bool:
    return (old or "") != (new or "")


__all__ = ["has_changes", "inline_diff", "rich_diff", "tokens", "word_segments"]
