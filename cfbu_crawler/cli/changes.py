"""Commands about change: ``diff`` (between two runs), ``history`` and ``show`` (one
article), and ``reparse`` (re-extract the stored pages with the current extractor)."""

from __future__ import annotations

import click

from cfbu_crawler.cli.app import (
    article_reader,
    db_option,
    emit_json,
    json_option,
    open_archive,
    require_runs,
)


class RunArgument(click.Argument):
    """A run id argument of ``diff``: shown nested in the usage (``[FROM [TO]]``: TO only
    with FROM), named plainly in errors (``Invalid value for 'FROM'``)."""

    def get_error_hint(self, ctx: click.Context | None) -> str:
        return f"'{(self.metavar or '').strip('[]')}'"


@click.command()
@db_option
@click.argument("from_run", cls=RunArgument, metavar="[FROM", type=int, required=False)
@click.argument("to_run", cls=RunArgument, metavar="[TO]]", type=int, required=False)
@json_option
def diff(db: str | None, from_run: int | None, to_run: int | None, as_json: bool) -> None:
    """Show what changed on the site between two crawl runs: articles added, removed and
    moved, and for each changed article its changed fields with a word-level diff.

    Without arguments the last two complete crawl runs are compared; with FROM alone,
    FROM and the latest complete run (run ids, see `cfbu runs`). Changes made by `cfbu
    reparse` (a new extractor) are not site changes and are not shown. Warnings say when
    the comparison may mislead: a field's extraction coverage dropped (changes that
    only lost that field are marked suspect), a run did not complete, pages failed.

    \b
    Example:
      cfbu diff                # the last two complete crawls
      cfbu diff 3              # run 3 → the latest complete crawl
      cfbu diff 3 7 --json     # run 3 → run 7, for machines
    """
    from cfbu_crawler.archive.diff import diff_runs
    from cfbu_crawler.cli.render import console, print_diff

    engine = open_archive(db)
    data = diff_runs(engine, from_run, to_run)
    if as_json:
        emit_json(data)
        return
    print_diff(console(), data)


@click.command()
@db_option
@click.argument("ref", metavar="URL|SLUG")
@json_option
def history(db: str | None, ref: str, as_json: bool) -> None:
    """List every version of one article, with the run and date it was seen, whether the
    site or the extractor (`cfbu reparse`) changed it, and what changed each time.

    \b
    Example:
      cfbu history https://cfbu.dk/nyheder/frivillighed-er-ikke-gratis/
      cfbu history frivillighed-er-ikke-gratis --json
    """
    from rich.markup import escape

    from cfbu_crawler.archive.lookup import article_history
    from cfbu_crawler.cli.render import change_lines, console, indented, plural

    with article_reader(db) as reader:
        data = article_history(reader, ref)
    if as_json:
        emit_json(data)
        return
    out = console()
    status = data["status"] + (f" since {data['gone_since']}" if data["gone_since"] else "")
    out.print(f"[bold]{escape(data['url'])}[/]  ({status})")
    out.print(
        f"first seen {data['first_seen']} (run {data['first_run']}), last seen "
        f"{data['last_seen']} (run {data['last_run']}); "
        f"{plural(len(data['versions']), 'version')}, {plural(data['observations'], 'fetch', 'fetches')}"
    )
    for alias in data["aliases"]:
        out.print(f"also reached as {escape(alias)}")
    # One block per version (fits a narrow terminal): what, when, why, then the changes.
    for v in data["versions"]:
        when = (v["created_at"] or "").replace("T", " ").rstrip("Z")[:16]
        cause = "site" if v["cause"] == "site" else "extractor (reparse)"
        what = ", ".join(v["changed_fields"]) or ("first seen" if v["number"] == 1 else "-")
        out.print()
        out.print(
            f"[bold]Version {v['number']}[/] · run {v['run_id']} · {when} UTC · {cause} · {what}"
        )
        out.print(indented(escape(v["title"] or "(no title)"), "  "))
        for line in change_lines(v["changes"] or {}):
            out.print(indented(line, "  "))


@click.command()
@db_option
@click.argument("ref", metavar="URL|SLUG")
@click.option(
    "--version",
    "version",
    type=click.IntRange(min=1),
    metavar="N",
    help="Show version N instead of the latest.",
)
@json_option
def show(db: str | None, ref: str, version: int | None, as_json: bool) -> None:
    """Show one article as archived (its latest version, or version N): title, date,
    breadcrumb, category, body and Q&A.

    \b
    Example:
      cfbu show frivillighed-er-ikke-gratis
      cfbu show https://cfbu.dk/nyheder/frivillighed-er-ikke-gratis/ --version 1 --json
    """
    from cfbu_crawler.archive.lookup import show_article
    from cfbu_crawler.cli.runtable import plural

    with article_reader(db) as reader:
        record = show_article(reader, ref, version)
    if as_json:
        emit_json(record)
        return
    lines = [record["title"] or "(no title)", ""]
    lines.append(f"Published:  {record['published'] or '(no date)'}")
    lines.append(f"Category:   {record['category'] or '(none)'}")
    lines.append(f"Breadcrumb: {' / '.join(record['breadcrumb']) or '(none)'}")
    lines.append(f"URL:        {record['url']}")
    status = record["status"] + (f" since {record['gone_since']}" if record["gone_since"] else "")
    lines.append(
        f"Archive:    {status}; version {record['version']} of {record['versions']} "
        f"({record['cause']}, run {record['run_id']}, {record['created_at']}); "
        f"first seen {record['first_seen']}, last seen {record['last_seen']}"
    )
    for alias in record["aliases"]:
        lines.append(f"Also at:    {alias}")
    if record["missing"]:
        lines.append(f"Missing:    {', '.join(record['missing'])} (partial record)")
    lines += ["", record["body"] or "(no body)"]
    if record["qa"]:
        lines += ["", f"Q&A ({plural(len(record['qa']), 'question')})"]
        for pair in record["qa"]:
            lines += ["", f"Q: {pair.get('question', '')}", f"A: {pair.get('answer', '')}"]
    click.echo("\n".join(lines))


@click.command()
@db_option
@json_option
def reparse(db: str | None, as_json: bool) -> None:
    """Re-extract every article from its stored raw page with the current extractor,
    without fetching anything. Content that comes out different is stored as a new
    version marked as an extractor change (not a site change, so `cfbu diff` ignores
    it). Refuses while a crawl writes to the archive. Every core extracts; progress with
    an ETA is shown on stderr (a bar on a terminal, a line every 10 seconds otherwise).

    \b
    Example:
      cfbu reparse
      cfbu reparse --db archive.sqlite3 --json
    """
    from cfbu_crawler.archive.reparse import reparse_archive
    from cfbu_crawler.cli.progressbar import ArticleProgress

    engine = open_archive(db)
    require_runs(engine)
    with ArticleProgress("reparse") as progress:
        result = reparse_archive(engine, progress=progress.advance, total=progress.total)
    if as_json:
        emit_json(result)
        return
    from cfbu_crawler.cli.render import plural

    click.echo(
        f"Reparse run {result['run_id']} (extractor {result['extractor_version']}): "
        f"{plural(result['articles'], 'article')}, {result['changed']} changed, "
        f"{result['unchanged']} unchanged, {result['failed']} failed, "
        f"{result['skipped']} skipped (no stored page)"
    )
    for failure in result["failures"]:
        click.echo(f"  failed: {failure['url']}: {failure['error']}", err=True)
