"""What a user typed, made safe: the words and phrases of a search query.

Backend-neutral: this module knows no SQL dialect. A backend renders the parsed query in
its own syntax (FTS5 ``MATCH``, PostgreSQL ``tsquery``); what the user typed never reaches
the database as syntax, only as quoted words.

The rules (docs/schema.md, "Full-text search"):

- a word is a run of letters and digits, as the index's tokenizer cuts text (Unicode
  letters, so ``æ``, ``ø`` and ``å`` are letters; ``_`` and punctuation are not);
- words written together with punctuation between them and no space (``f.eks.``,
  ``2020-2023``, ``Høje-Taastrup``) form a phrase: they must follow each other;
- text between a pair of double quotes is a phrase; an unpaired quote is ignored;
- a ``*`` right after a word makes it a prefix (``lommepenge*``), as in the index's own
  syntax; any other ``*`` is ignored;
- everything else (operators such as ``AND``, ``NOT``, ``OR``, ``NEAR``, column filters,
  brackets, dashes, SQL) is text: ``NOT`` is the word "not".

Every term must match (AND), as in a web search box.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Letters and digits (``\w`` without the underscore), the unicode61 tokenizer's token
# characters: a run of them is one word of the index.
WORD = re.compile(r"[^\W_]+")
# A word followed directly by ``*``: a prefix query.
PREFIX_WORD = re.compile(r"[^\W_]+(\*)?")


@dataclass(frozen=True)
class Term:
    """One thing that must match: a single word or a phrase (words in sequence); with
    ``prefix``, the last word matches any word it begins."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """A user's query as terms (all must match). ``text`` is what was typed."""

    text: str
    terms: tuple[Term, ...]

    @property
    def empty(self) -> bool:
        """Whether the query holds no word at all (``***``, ``-``, a lone quote)."""
        return not self.terms


def _chunk_terms(chunk: str, *, phrase: bool) -> list[Term]:
    """Terms of one whitespace-free chunk (or, with ``phrase``, of quoted text): its words
    in sequence as one phrase."""
    words: list[str] = []
    prefix = False
    for match in PREFIX_WORD.finditer(chunk):
        words.append(match.group(0).rstrip("*"))
        prefix = match.group(1) is not None
        if prefix and not phrase:
            # ``lomme*penge``: the prefix ends the phrase, what follows is a new term.
            rest = chunk[match.end() :]
            return [Term(tuple(words), True), *_chunk_terms(rest, phrase=False)]
    if not words:
        return []
    return [Term(tuple(words), prefix)]


def parse_query(text: str) -> ParsedQuery:
    """The terms of a user's query, by the rules above; never fails."""
    terms: list[Term] = []
    parts = text.split('"')
    # parts[1], parts[3], … were inside quotes; an odd number of quotes leaves the last
    # "quoted" part unclosed: it is read as plain text.
    closed = len(parts) % 2 == 1
    for i, part in enumerate(parts):
        quoted = i % 2 == 1 and (closed or i < len(parts) - 1)
        if quoted:
            terms += _chunk_terms(part, phrase=True)
        else:
            for chunk in part.split():
                terms += _chunk_terms(chunk, phrase=False)
    return ParsedQuery(text, tuple(terms))


__all__ = ["ParsedQuery", "Term", "parse_query"]
