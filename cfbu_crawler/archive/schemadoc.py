"""The archive's tables, views and columns described for people: the one source of the
column tables in docs/schema.md (a test checks that the page holds exactly these) and of
the Datasette metadata of ``cfbu serve`` (titles, column descriptions, units).

Texts are Markdown as on the page; ``plain()`` turns them into the plain text Datasette
shows. A new column needs a row here and the same row in docs/schema.md
(``python -m cfbu_crawler.archive.schemadoc`` prints every table as the page has it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

TABLE, VIEW, FTS = "table", "view", "fts"

TITLE = "cfbu: archive of the news of cfbu.dk"
DESCRIPTION = (
    "Every version of every article of the news section (Nyheder) of cfbu.dk, as crawled "
    "by cfbu: runs, articles and the URLs they were reached by, versions (a new one only "
    "when the extracted content changes), every fetch, and the fetched pages. The "
    "latest_versions view has the newest version of each article and full-text search; "
    "the queries below answer the usual questions. The schema is documented in "
    "docs/schema.md of the project."
)


@dataclass(frozen=True)
class Relation:
    """A table or view: its name, what one row is, and its columns' descriptions (rows of
    the page's table: the column cell, e.g. "`host`, `pid`", and its meaning)."""

    name: str
    title: str
    rows: tuple[tuple[str, str], ...] = ()
    kind: str = TABLE
    header: str = "meaning"  # the second column's heading on the page
    units: Mapping[str, str] = field(default_factory=dict)  # column → unit (pint's)
    # False: the page describes its columns in the shared table of the full-text search
    # section (SEARCH_COLUMNS), not in a table of its own.
    own_table: bool = True

    def columns(self) -> dict[str, str]:
        """Every column's description, as plain text."""
        described = {}
        for cell, meaning in self.rows:
            text = plain(meaning)
            if self.header == "from":  # a view's column: where it comes from
                remark = cell.partition(" (")[2].rstrip(")")
                text = f"from {text}" + (f" ({remark})" if remark else "")
            for name in column_names(cell):
                described[name] = text
        return described

    def markdown(self) -> str:
        """The column table as docs/schema.md has it."""
        return markdown_table(self.header, self.rows)


def column_names(cell: str) -> list[str]:
    """The column names of a table row's first cell ("`version_id`, `version` (its
    number)" → version_id, version)."""
    return re.findall(r"`([a-z_0-9]+)`", cell.split(" (")[0])


def markdown_table(header: str, rows: tuple[tuple[str, str], ...]) -> str:
    lines = [f"| column | {header} |", "|---|---|"]
    lines += [f"| {cell} | {meaning} |" for cell, meaning in rows]
    return "\n".join(lines)


def plain(markdown: str) -> str:
    """Markdown of a table cell as plain text: links to their text, no backticks or
    emphasis."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", markdown)
    text = text.replace("`", "")
    return re.sub(r"\*([^*]+)\*", r"\1", text)


# The searchable columns of both full-text indexes (docs/schema.md, "Full-text search").
SEARCH_COLUMNS: tuple[tuple[str, str], ...] = (
    ("`title`", "the title"),
    ("`lead`", "the first paragraph"),
    ("`body`", "all paragraphs (Q&A included)"),
    ("`questions`", "the interview's questions, one a line"),
    ("`answers`", "the interview's answers, separated by a blank line"),
    ("`breadcrumb`", "the breadcrumb's labels joined by ` / `"),
    ("`category`", "the category label"),
)

RELATIONS: tuple[Relation, ...] = (
    Relation(
        "runs",
        "one row per crawl or reparse",
        units={"bytes_received": "B"},
        rows=(
            ("`id`", "run number, increasing; `cfbu diff FROM TO` takes these"),
            ("`kind`", "`crawl` or `reparse`"),
            (
                "`status`",
                "`running`, `complete`, `failed` or `interrupted`. Only a `complete` crawl can declare an article removed; a run left `running` by a killed process is marked `interrupted` (reason `stale`) when the next run starts",
            ),
            ("`started_at`, `finished_at`", "UTC"),
            ("`heartbeat_at`", "last sign of life of a running run (stale-run detection)"),
            (
                "`finish_reason`",
                "why it ended (Scrapy's close reason, `finished`, `stale`, an error)",
            ),
            ("`start_url`", "where the crawl started (NULL for reparse)"),
            ("`full`", "`--full`: every page re-fetched, no conditional requests"),
            ("`settings`", "*JSON*: the crawl settings that matter (delay, concurrency, …)"),
            ("`software_version`", "the `cfbu` version that ran it"),
            (
                "`extractor_version`",
                "the extraction code's version (`cfbu_crawler.extract.EXTRACTOR_VERSION`)",
            ),
            ("`host`, `pid`", "where it ran"),
            ("`requests`, `bytes_received`", "HTTP requests made and bytes downloaded"),
            ("`pages`", "article pages stored (reparse: articles re-extracted)"),
            (
                "`new`, `changed`, `unchanged`, `removed`, `moved`, `errors`",
                "counts of articles by outcome, as `cfbu diff` counts them: each article once as "
                "new, changed, moved or unchanged (a move whose content also changed counts as "
                "moved and changed) (`errors`: pages that still failed after retries; reparse: "
                "pages the extractor failed on)",
            ),
            ("`listing_complete`", "the whole news listing was walked"),
            (
                "`coverage`",
                "*JSON*: share of the run's articles with each field (`title`, `published`, `breadcrumb`, `body`), interviews found and the share with Q&A extracted",
            ),
            (
                "`warnings`",
                '*JSON* list of text: coverage drops against the previous complete crawl ("has the site\'s markup changed?")',
            ),
        ),
    ),
    Relation(
        "articles",
        "one row per article",
        rows=(
            ("`id`", "article id"),
            (
                "`key`",
                "identity: the normalised URL without scheme (`cfbu.dk/nyheder/<slug>/`); unique",
            ),
            ("`url`", "current canonical URL"),
            ("`slug`", "last path segment, what `cfbu show SLUG` matches"),
            ("`status`", "`live` or `gone` (404/410 in a complete run; kept with its history)"),
            ("`first_seen`, `last_seen`", "UTC of the first and latest fetch that found it"),
            ("`first_run_id`, `last_run_id`", "→ `runs.id`"),
            (
                "`gone_since`, `gone_run_id`",
                "when and by which run it was declared removed (NULL while live; cleared if it comes back)",
            ),
            (
                "`etag`, `last_modified`",
                "HTTP validators of its last full response (conditional requests)",
            ),
            ("`sitemap_lastmod`", "`lastmod` of its sitemap entry, if any"),
            ("`sitemap_url`", "the sitemap that lists it, if any"),
        ),
    ),
    Relation(
        "article_urls",
        "every URL an article was reached by",
        rows=(
            ("`id`", "alias id"),
            ("`article_id`", "→ `articles.id`"),
            ("`key`", "normalised URL (unique: one URL belongs to one article)"),
            ("`url`", "the URL as met"),
            ("`first_seen`, `last_seen`", "UTC"),
        ),
    ),
    Relation(
        "versions",
        "one row per distinct content of an article",
        rows=(
            ("`id`", "version id"),
            ("`article_id`", "→ `articles.id`"),
            ("`number`", "1, 2, 3 … per article (unique with `article_id`)"),
            ("`run_id`", "→ `runs.id`: the run that first saw this content"),
            ("`created_at`", "UTC"),
            (
                "`cause`",
                "`site` (the page changed) or `extractor` (made by `cfbu reparse`: the extraction changed, not the site; `cfbu diff` ignores these)",
            ),
            (
                "`changed_fields`",
                "*JSON* list: the fields that differ from the previous version, in the order title, breadcrumb, category, published, lead, body, qa (`[]` for version 1)",
            ),
            ("`content_hash`", "SHA-256 of the canonical JSON of the seven content fields"),
            ("`extractor_version`", "extractor that produced it"),
            ("`raw_page_id`", "→ `raw_pages.id`: the response it was extracted from"),
            ("`url`", "the article's URL when this version was made"),
            (
                "`title`, `category`, `published`, `lead`, `body`",
                "the fields of the record ([record.md](record.md); body: paragraphs joined by a blank line)",
            ),
            ("`breadcrumb`", "*JSON* list of labels (also in `breadcrumb_items`)"),
            ("`qa`", '*JSON* list of `{"question", "answer"}` (also in `qa_pairs`)'),
            (
                "`missing`",
                "*JSON* list of required fields the page lacked (a partial record is still kept)",
            ),
        ),
    ),
    Relation(
        "breadcrumb_items",
        "a version's breadcrumb, one label a row",
        rows=(
            ("`version_id`", "→ `versions.id`"),
            ("`position`", "0-based"),
            ("`label`", "one label of the trail"),
        ),
    ),
    Relation(
        "qa_pairs",
        "a version's interview structure, one question a row",
        rows=(
            ("`version_id`", "→ `versions.id`"),
            ("`position`", "0-based"),
            ("`question`", "the question"),
            ("`answer`", "paragraphs joined by a blank line, leading dashes removed"),
        ),
    ),
    Relation(
        "observations",
        "one row per fetch",
        units={"bytes": "B", "warc_offset": "B", "warc_length": "B"},
        rows=(
            ("`id`", "observation id"),
            ("`run_id`", "→ `runs.id`"),
            (
                "`article_id`",
                "→ `articles.id` (NULL when the URL matched no known article, e.g. an error on a new URL)",
            ),
            ("`url`", "the URL requested"),
            ("`final_url`", "the URL that answered (after redirects)"),
            ("`status_code`", "HTTP status"),
            ("`fetched_at`", "UTC"),
            (
                "`outcome`",
                "`new`, `changed`, `unchanged` (content as before), `not_modified` (304), `skipped` (sitemap `lastmod` unchanged: not fetched), `moved` (answered under another article URL), `gone` (404/410), `error` (failed after retries, or an extractor crashed on the page: [record.md](record.md#when-extraction-fails))",
            ),
            ("`version_id`", "→ `versions.id`: the version this fetch showed"),
            ("`raw_page_id`", "→ `raw_pages.id`: the body received"),
            ("`bytes`", "size of the body"),
            ("`error`", "error message for `error` outcomes"),
            (
                "`via`",
                "how the run came to this URL: `listing`, `sitemap`, `link` (from another "
                "article), `retry` (failed last time), or, for a known article the run did not "
                "reach, `unlisted` (checked directly: the listing was read to its end, or the "
                "sitemap that listed it was read, without it) or `check` (checked directly; the "
                "run cannot tell whether it is still listed). NULL for fetches recorded before "
                "this column existed. `cfbu diff` lists as `unlisted` the articles whose latest "
                "verdict is `unlisted`",
            ),
            (
                "`warc_file`",
                "the WARC file holding this fetch's response (or revisit) record, in `warc/` beside the archive ([warc.md](warc.md)); NULL for fetches not written to WARC (`--no-warc`, skipped, failed without an answer)",
            ),
            (
                "`warc_offset`, `warc_length`",
                "where that record's gzip member starts in the file, and its length",
            ),
        ),
    ),
    Relation(
        "raw_pages",
        "fetched bodies, deduplicated",
        units={"size": "B"},
        rows=(
            ("`id`", "raw page id"),
            ("`sha256`", "of the uncompressed body; unique"),
            ("`size`", "uncompressed bytes"),
            ("`compression`", "`zlib`"),
            ("`content_type`", "the response's Content-Type"),
            ("`encoding`", "as the response declared it"),
            ("`content`", "the compressed bytes"),
        ),
    ),
    Relation(
        "http_validators",
        "ETag / Last-Modified of listing pages and sitemaps",
        rows=(
            ("`id`", "validator id"),
            ("`key`", "the URL"),
            ("`kind`", "`listing` or `sitemap`"),
            ("`etag`, `last_modified`", "the validators the server sent"),
            ("`run_id`", "the complete run that saved them"),
            ("`updated_at`", "UTC"),
        ),
    ),
    Relation(
        "crawl_lock",
        "who writes now",
        rows=(
            ("`id`", "always 1"),
            ("`run_id`", "→ `runs.id`: the run writing"),
            ("`host`, `pid`", "where it runs"),
            ("`acquired_at`, `heartbeat_at`", "UTC: when it took the lock, its last sign of life"),
        ),
    ),
    Relation(
        "alembic_version",
        "the schema revision",
        rows=(("`version_num`", "the newest migration applied"),),
    ),
    Relation(
        "latest_versions",
        "the newest version of every article",
        kind=VIEW,
        header="from",
        rows=(
            ("`article_id`, `url`, `slug`, `status`, `first_seen`, `last_seen`", "`articles`"),
            ("`version_id`, `version` (its number)", "`versions.id`, `versions.number`"),
            (
                "`title`, `category`, `published`, `lead`, `body`, `breadcrumb`, `qa`, `content_hash`, `missing`, `created_at`",
                "that version",
            ),
            ("`versions`", "how many versions the article has"),
            (
                "`qa_count`, `is_interview`",
                "how many Q&A pairs that version has; 1 when it has any (an interview), else 0",
            ),
        ),
    ),
    Relation(
        "latest_versions_fts",
        "the latest version of every article",
        kind=FTS,
        header="text",
        own_table=False,
        rows=(
            *SEARCH_COLUMNS,
            ("`version_id`", "the version indexed (`latest_versions.version_id`); not searched"),
        ),
    ),
    Relation(
        "versions_fts",
        "every version ever archived",
        kind=FTS,
        header="text",
        rows=SEARCH_COLUMNS,
        own_table=False,
    ),
    Relation(
        "versions_text",
        "each version's searchable text",
        kind=VIEW,
        header="text",
        own_table=False,
        rows=(("`id`", "`versions.id`"), *SEARCH_COLUMNS),
    ),
)

BY_NAME = {relation.name: relation for relation in RELATIONS}


def describe_relation(name: str) -> Relation:
    return BY_NAME[name]


def main() -> None:
    """Print every column table, under its heading, as docs/schema.md has them."""
    print("Full-text search columns:\n")
    print(markdown_table("text", SEARCH_COLUMNS) + "\n")
    for relation in RELATIONS:
        if relation.kind != FTS:
            print(f"{relation.name}: {relation.title}\n\n{relation.markdown()}\n")


if __name__ == "__main__":
    main()
