"""The body: the article's paragraphs in order, as :class:`Block`s.

Reads the content container chosen by :mod:`layout`, then applies docs/record.md: leading lines
that are the breadcrumb trail, a date, the category label or the title are dropped (old
layouts keep them as plain lines in the body cell); the "Se seneste nyheder" back link and
share lines are dropped wherever they are, and so is a publication line ending the body;
single ``<br>`` lines are joined unless the
next is dash-led or the previous is wholly emphasised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .blocks import Line, Para, split_para
from .breadcrumb import extract_breadcrumb, parse_trail
from .category import extract_category
from .header import date_line, is_label, is_publication_line
from .layout import layout
from .page import Page
from .title import extract_title


@dataclass(frozen=True)
class Block:
    """One paragraph of the body."""

    text: str  # normalised text
    emphasised: bool  # wholly <strong>/<b> (whitespace/punctuation around it ignored)
    heading: bool  # h2..h6, or a wholly emphasised short line used as a heading


_BACK_LINK = re.compile(
    r"^[«‹<←\s]*(?:se\s+(?:alle\s+|de\s+)?(?:seneste\s+|flere\s+|andre\s+|øvrige\s+)?nyheder|"
    r"(?:gå\s+)?tilbage(?:\s+til\s+(?:alle\s+|oversigten|forsiden|nyheds\w*|nyheder\w*)*)?|"
    r"flere\s+nyheder|alle\s+nyheder|til\s+nyhedsoversigten|nyhedsarkiv|back(?:\s+to\s+news)?)"
    r"[\s»›>→.!]*$",
    re.I,
)
_SHARE = re.compile(
    r"^(?:del(?:\s+(?:denne|artiklen|nyheden|siden|på))*\s*:?(?:\s*(?:facebook|twitter|x|"
    r"linkedin|e-?mail|mail))*|print|udskriv|tweet|send\s+til\s+en\s+ven|share(?:\s+this)?:?)$",
    re.I,
)
_SHORT_HEADING_WORDS = 12


def is_back_link(text: str) -> bool:
    """``Se seneste nyheder``, ``Se alle nyheder``, ``Tilbage til nyheder``, ``« Tilbage``..."""
    return bool(_BACK_LINK.match(text)) or bool(_SHARE.match(text))


def _is_meta_line(text: str, nxt: str | None, page: Page) -> bool:
    folded = text.casefold()
    title = (extract_title(page) or "").casefold()
    trail = extract_breadcrumb(page)
    category = (extract_category(page) or "").casefold()
    if folded in (title, category) and folded:
        return True
    hints = {title, *(x.casefold() for x in trail)}
    if parse_trail(text, hints) or (trail and folded == " / ".join(trail).casefold()):
        return True
    if date_line(text):
        return True
    return bool(nxt and is_label(text) and date_line(nxt))


def _strip_leading(paras: list[Para], page: Page) -> list[Para]:
    flat = [(pi, li) for pi, para in enumerate(paras) for li in range(len(para.lines))]
    drop: set[tuple[int, int]] = set()
    for k, (pi, li) in enumerate(flat[:12]):
        text = paras[pi].lines[li].text
        nxt = paras[flat[k + 1][0]].lines[flat[k + 1][1]].text if k + 1 < len(flat) else None
        if not text or _is_meta_line(text, nxt, page):
            drop.add((pi, li))
        else:
            break
    out = []
    for pi, para in enumerate(paras):
        lines = [
            line
            for li, line in enumerate(para.lines)
            if (pi, li) not in drop and not is_back_link(line.text)
        ]
        if lines:
            out.append(Para(lines, para.heading, para.inside, para.tag, para.node))
    return _strip_trailing(out)


def _strip_trailing(paras: list[Para]) -> list[Para]:
    """Drop publication lines (``Publiceret d. 30.11.2015``) that end the body."""
    while paras:
        last = paras[-1]
        lines = list(last.lines)
        while lines and is_publication_line(lines[-1].text):
            lines.pop()
        if len(lines) == len(last.lines):
            break
        paras = paras[:-1]
        if lines:
            paras.append(Para(lines, last.heading, last.inside, last.tag, last.node))
            break
    return paras


def _to_blocks(paras: list[Para]) -> list[Block]:
    blocks: list[Block] = []
    for para in paras:
        for text, emphasised, _segs in split_para(para):
            if not text or is_back_link(text):
                continue
            short = len(text.split()) <= _SHORT_HEADING_WORDS and not text.endswith(
                (".", ",", ";", ":")
            )
            heading = 2 <= para.heading <= 6 or (emphasised and short)
            blocks.append(Block(text, emphasised, heading))
    return blocks


def body_and_lead(blocks: list[Block]) -> tuple[str, str | None]:
    """The body (paragraphs joined by a blank line) and the lead (the first paragraph)."""
    return "\n\n".join(block.text for block in blocks), (blocks[0].text if blocks else None)


def extract_body_blocks(page: Page) -> list[Block]:
    """The article's paragraphs, in order; [] when nothing is found."""
    return list(page.extracted("body_blocks", lambda: _extract(page), []))


def _extract(page: Page) -> list[Block]:
    if page.root is None:
        return []
    paras = [p for p in layout(page).body if p.heading != 1]
    blocks = _to_blocks(_strip_leading(paras, page))
    title = (extract_title(page) or "").casefold()
    while blocks and title and blocks[0].text.casefold() == title:
        blocks.pop(0)
    return blocks


__all__ = ["Block", "Line", "extract_body_blocks", "is_back_link"]
