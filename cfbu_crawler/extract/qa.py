"""Interview structure (docs/record.md, "Questions and answers"): body blocks ->
``[{"question", "answer"}]``.

A question is a block that ends in ``?`` (a closing quote may follow) and is emphasised,
a heading, or followed by a dash-led block; or an emphasised block/heading without ``?``
that is followed by a dash-led block (never an ALL-CAPS subheading without ``?``). An
answer is every block after a question up to the next question, each paragraph losing its
leading dash. Dash-led blocks before the first question are quotations; prose before the
first question belongs to no answer.

The same two marks (a question mark ending a paragraph, a dash leading one) also tell
whether a stored body *reads like* an interview (``looks_like_interview``), which the
archive's extraction-health check uses to notice Q&A that was not found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from .blocks import dash_led

_ENDS_Q = re.compile(r"\?[\s\"”»’'“«)]*$")
_DASH = re.compile(r"^[–—-][ \u00a0]+")


class _BlockLike(Protocol):  # body.Block (frozen: read-only attributes)
    @property
    def text(self) -> str: ...
    @property
    def emphasised(self) -> bool: ...
    @property
    def heading(self) -> bool: ...


def ends_with_question(text: str) -> bool:
    return bool(_ENDS_Q.search(text))


def is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def strip_dash(text: str) -> str:
    """Remove a leading answer dash (``–``, ``—``, ``-`` then space/NBSP) and its space."""
    return _DASH.sub("", text, count=1)


def is_question(blocks: list[_BlockLike], i: int) -> bool:
    block = blocks[i]
    text = block.text or ""
    if not text or dash_led(text):
        return False
    emph = bool(block.emphasised or block.heading)
    next_dash = i + 1 < len(blocks) and dash_led(blocks[i + 1].text or "")
    if ends_with_question(text):
        return emph or next_dash
    return emph and next_dash and not is_all_caps(text)


def extract_qa(blocks: Sequence[_BlockLike]) -> list[dict[str, str]]:
    """``[{"question": str, "answer": str}]`` in order; [] for non-interviews."""
    return _extract(list(blocks or []))


def looks_like_interview(body: str) -> bool:
    """Does a body (paragraphs joined by blank lines) read like an interview: at least
    two paragraphs ending in a question and two dash-led ones? Unlike ``extract_qa`` it
    needs no markup, so it also judges a stored version whose Q&A came out empty."""
    paragraphs = [p for p in (body or "").split("\n\n") if p]
    questions = sum(1 for p in paragraphs if ends_with_question(p))
    dashed = sum(1 for p in paragraphs if dash_led(p))
    return questions >= 2 and dashed >= 2


def _extract(blocks: list[_BlockLike]) -> list[dict[str, str]]:
    pairs: list[dict[str, str]] = []
    question: str | None = None
    answer: list[str] = []

    def close() -> None:
        if question is not None and answer:
            pairs.append({"question": question, "answer": "\n\n".join(answer)})

    for i, block in enumerate(blocks):
        if is_question(blocks, i):
            if question is not None and not answer:
                # Two questions in a row: one question asked in two paragraphs.
                question = f"{question} {block.text}"
                continue
            close()
            question, answer = block.text, []
        elif question is not None:
            text = strip_dash(block.text or "").strip()
            if text:
                answer.append(text)
    close()
    return pairs
