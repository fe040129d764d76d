"""``cfbu search``: full-text search of the archive (the library is
``cfbu_crawler.archive.search``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from cfbu_crawler.cli.app import db_option, emit_json, json_option, open_archive
from cfbu_crawler.record import SEARCH_FIELD_GROUPS, SEARCH_FIELDS

if TYPE_CHECKING:
    from rich.text import Text

    from cfbu_crawler.archive.search import Hit, Marked, SearchRequest, SearchResult

# Hits shown unless --limit says otherwise.
DEFAULT_LIMIT = 20
MATCH_STYLE = "bold red"


def _date(end: bool) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    """A click callback: ``--since``/``--until`` as the first/last day they name."""

    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return None
        from cfbu_crawler.archive.search import date_bound

        try:
            return date_bound(value, end=end)
        except ValueError as exc:
            raise click.BadParameter(str(exc), ctx, param) from None

    return convert


def run_ranges(runs: tuple[int, ...] | list[int]) -> str:
    """``1, 2, 3, 5`` as ``1–3, 5``."""
    spans: list[list[int]] = []
    for run in sorted(runs):
        if spans and run == spans[-1][1] + 1:
            spans[-1][1] = run
        else:
            spans.append([run, run])
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in spans)


def _text(marked: Marked, *, empty: str = "") -> Text:
    from rich.text import Text

    out = Text()
    for part, is_match in marked.parts:
        out.append(part, style=MATCH_STYLE if is_match else None)
    return out if marked.parts else Text(empty)


def hit_lines(hit: Hit) -> list[Text]:
    """One hit for people: its title; its date, status (version, runs) and URL; the
    snippet — the keys of ``--json``, in the same order."""
    from rich.text import Text

    title = _text(hit.title, empty="(no title)")
    title.stylize("bold")
    facts = [hit.published or "no date", hit.status]
    if hit.version is not None:
        facts.append(f"version {hit.version} of {hit.versions}")
        facts.append(f"run{'s' if len(hit.runs) != 1 else ''} {run_ranges(hit.runs)}")
    facts.append(hit.url)
    return [title, Text("  " + " · ".join(facts)), Text("  ") + _text(hit.snippet)]


def header(result: SearchResult) -> str:
    what = "version" if result.request.all_versions else "article"
    total, shown = result.total, len(result.hits)
    noun = what if total == 1 else what + "s"
    verb = "matches" if total == 1 else "match"
    head = f"{total} {noun} {verb}: {result.request.query}"
    if shown < total:
        head += f" (the best {shown} shown; --limit to see more)"
    return head


def _search(db: str | None, request: SearchRequest) -> SearchResult:
    """Run the search: on an SQLite archive whose schema is current, through ``sqlite3``
    alone (loading SQLAlchemy takes longer than the search), else through the engine."""
    from cfbu_crawler.archive import search as library
    from cfbu_crawler.archive.sqlitefile import open_current

    con = open_current(db)
    if con is None:
        return library.search(open_archive(db), request)
    try:
        return library.search(con, request)
    finally:
        con.close()


@click.command(context_settings={"ignore_unknown_options": True})
@db_option
@click.argument("query", nargs=-1)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=DEFAULT_LIMIT,
    show_default=True,
    help="Show at most N hits, best first.",
)
@click.option(
    "--field",
    "fields",
    multiple=True,
    type=click.Choice([*SEARCH_FIELDS, *SEARCH_FIELD_GROUPS]),
    help="Search only this field (repeatable; qa = questions and answers).",
)
@click.option(
    "--since",
    callback=_date(end=False),
    metavar="DATE",
    help="Only articles published on or after DATE (YYYY-MM-DD, YYYY-MM or YYYY).",
)
@click.option(
    "--until",
    callback=_date(end=True),
    metavar="DATE",
    help="Only articles published on or before DATE (YYYY-MM-DD, YYYY-MM or YYYY).",
)
@click.option("--include-gone", is_flag=True, help="Include articles removed from the site.")
@click.option(
    "--raw",
    is_flag=True,
    help="QUERY is the index's own syntax: SQLite's FTS5 (AND, OR, NOT, NEAR, \"…\", *) "
    "or PostgreSQL's to_tsquery (&, |, !, <->, :*).",
)
@click.option(
    "--all-versions",
    is_flag=True,
    help="Search every version ever archived, with the runs that saw it.",
)
@click.option("--rebuild", is_flag=True, help="Rebuild the search index (then search, if asked).")
@json_option
def search(
    db: str | None,
    query: tuple[str, ...],
    limit: int,
    fields: tuple[str, ...],
    since: str | None,
    until: str | None,
    include_gone: bool,
    raw: bool,
    all_versions: bool,
    rebuild: bool,
    as_json: bool,
) -> None:
    """Search the archived articles' text: title, lead, body, questions and answers,
    breadcrumb and category of the latest version of every article, best matches first.

    Danish as typed: any case finds any case (TROVÆRDIGE finds troværdige) and æ, ø, å
    are letters of their own (hoje does not find Høje). All words must match; a "quoted
    phrase" or words written together (f.eks., Høje-Taastrup) must match in sequence; a
    * after a word matches every word it begins (lommepenge*). Anything else typed is
    searched as words, never read as syntax; --raw hands QUERY to the index's syntax.
    On PostgreSQL, words are found in their Danish forms (lommepengene finds lommepenge)
    and the commonest words (og, i, at) are not indexed.

    Articles removed from the site are left out unless --include-gone. --all-versions
    finds text that was on the site once: every version that matches, with the runs
    that saw it.

    \b
    Example:
      cfbu search troværdige voksne
      cfbu search 'lommepenge*' --since 2015 --field title
      cfbu search "sagde borgmesteren" --all-versions --json
    """
    from cfbu_crawler.archive import search as library
    from cfbu_crawler.cli.render import console

    text = " ".join(query)
    if not text and not rebuild:
        raise click.UsageError("Missing argument 'QUERY'")
    if rebuild:
        counts = library.rebuild_index(open_archive(db))
        click.echo(
            f"Search index rebuilt: {counts['articles']} articles (latest versions), "
            f"{counts['versions']} versions.",
            err=bool(text),
        )
        if not text:
            return
    request = library.SearchRequest(
        query=text,
        limit=limit,
        fields=fields,
        since=since,
        until=until,
        include_gone=include_gone,
        raw=raw,
        all_versions=all_versions,
    )
    result = _search(db, request)
    if result.note:
        click.echo(f"note: {result.note}", err=True)
    if as_json:
        emit_json([hit.as_dict() for hit in result.hits])
        return
    out = console()
    out.print(header(result))
    for hit in result.hits:
        out.print()
        for line in hit_lines(hit):
            out.print(line)
