"""Turn an element into paragraphs and lines: the paragraph rules of docs/record.md.

Block elements (p, div, li, h2-h6, blockquote, td...) and ``<br><br>`` end a paragraph;
a single ``<br>`` ends a *line* inside it. Each line keeps which of its text is
emphasised (``<strong>``/``<b>``), so that "wholly emphasised" can be decided later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .dom import BLOCK_TAGS, HEADING_TAGS, SKIP_TAGS, is_emph, tag
from .text import normalise_text

Seg = tuple[str, bool]  # (raw text, emphasised)
_ALNUM = re.compile(r"\w", re.UNICODE)
_DASH_LED = re.compile(r"^[–—-][ \u00a0]")


@dataclass
class Line:
    """One visual line: its segments, normalised text and whether it is wholly bold."""

    segs: list[Seg]  # never changed once the line is made

    @cached_property
    def text(self) -> str:
        return normalise_text("".join(s for s, _ in self.segs))

    @cached_property
    def emphasised(self) -> bool:
        return wholly_emphasised(self.segs)


@dataclass
class Para:
    """A paragraph as laid out: one or more lines (split by single ``<br>``)."""

    lines: list[Line]
    heading: int = 0  # 1..6 for h1..h6, 0 otherwise
    inside: bool = False  # started inside the marked element
    tag: str = ""
    node: Any = field(default=None, repr=False, compare=False)  # the enclosing block element

    @cached_property
    def text(self) -> str:
        return normalise_text(" ".join(line.text for line in self.lines))


def wholly_emphasised(segs: list[Seg]) -> bool:
    """Every letter/digit is inside <strong>/<b> (whitespace and punctuation ignored)."""
    total = emph = 0
    for text, is_em in segs:
        n = len(_ALNUM.findall(text))
        total += n
        if is_em:
            emph += n
    return total > 0 and emph == total


def dash_led(text: str) -> bool:
    """Starts with –, — or - followed by a space or NBSP."""
    return bool(_DASH_LED.match(text))


def _has_text(s: str) -> bool:
    """Whether ``s`` shows anything (:func:`normalise_text` is non-empty); plain ASCII
    without control characters needs no more than a strip."""
    if s.isascii() and not _CONTROL_ASCII.search(s):
        return bool(s.strip())
    return bool(normalise_text(s))


_CONTROL_ASCII = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


@dataclass
class _Walker:
    marker: Any = None
    paras: list[Para] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    segs: list[Seg] = field(default_factory=list)
    after_br: bool = False
    heading: int = 0
    inside: bool = False
    block_tag: str = ""
    block_el: Any = None

    def _line_has_text(self) -> bool:
        return any(_has_text(s) for s, _ in self.segs)

    def end_line(self) -> None:
        if self._line_has_text():
            self.lines.append(Line(self.segs))
        self.segs = []

    def flush(self) -> None:
        self.end_line()
        if self.lines:
            para = Para(self.lines, self.heading, self.inside, self.block_tag, self.block_el)
            self.paras.append(para)
        self.lines = []
        self.after_br = False

    def text(self, s: str | None, emph: bool) -> None:
        if not s:
            return
        if _has_text(s):
            self.after_br = False
        self.segs.append((s, emph))

    def br(self) -> None:
        if self._line_has_text():
            self.end_line()
            self.after_br = True
        elif self.after_br or not self.lines:
            # <br><br> (or a <br> opening an empty paragraph): paragraph break.
            self.flush()

    def walk(self, el: Any, emph: bool) -> None:
        t = tag(el)
        if not t or t in SKIP_TAGS:
            return
        if t == "br":
            self.br()
            return
        entering_marker = self.marker is not None and el in self.marker
        block = t in BLOCK_TAGS
        saved = (self.heading, self.inside, self.block_tag, self.block_el)
        if block:
            self.flush()
            if t in HEADING_TAGS:
                self.heading = int(t[1])
            self.block_tag, self.block_el = t, el
        if entering_marker:
            self.flush()
            self.inside = True
        em = emph or is_emph(el)
        self.text(el.text, em)
        for child in el:
            self.walk(child, em)
            self.text(child.tail, em)
        if block or entering_marker:
            self.flush()
            self.heading, self.inside, self.block_tag, self.block_el = saved


def paragraphs(el: Any, marker: Any = None) -> list[Para]:
    """The paragraphs of ``el`` in document order; never raises. Paragraphs inside
    ``marker`` (an element or a list of them) are flagged ``inside``."""
    if el is None:
        return []
    if marker is not None:
        # a set of the elements themselves (lxml elements hash by identity)
        marker = set(marker) if isinstance(marker, (list, tuple)) else {marker}
    walker = _Walker(marker=marker)
    try:
        walker.walk(el, False)
        walker.flush()
    except (RecursionError, ValueError, TypeError):
        walker.flush()
    return walker.paras


def split_para(para: Para) -> list[tuple[str, bool, list[Seg]]]:
    """Apply the single-``<br>`` rule: a line joins the previous one with a space, except
    when it is dash-led or the previous line is wholly emphasised; then it starts a new
    paragraph. Returns (text, emphasised, segs) per resulting paragraph."""
    groups: list[list[Line]] = []
    for line in para.lines:
        if not line.text:
            continue
        if groups and not (dash_led(line.text) or groups[-1][-1].emphasised):
            groups[-1].append(line)
        else:
            groups.append([line])
    out = []
    for group in groups:
        segs: list[Seg] = []
        for i, line in enumerate(group):
            if i:
                segs.append((" ", False))
            segs.extend(line.segs)
        text = normalise_text(" ".join(line.text for line in group))
        out.append((text, wholly_emphasised(segs), segs))
    return out
