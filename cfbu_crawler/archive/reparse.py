"""``cfbu reparse``: re-run the current extractor over the stored raw pages.

For every article, the raw page of its latest observation that showed a version and
kept a body (a 304 keeps none; it confirmed the page before it) is extracted again. When
the re-extracted content differs from the article's latest version, a new version with
cause ``extractor`` is added: it is the extraction that changed, not the site, so
``cfbu diff`` does not report it. The work is one run of kind ``reparse``, which takes
the crawl lock (it refuses while a crawl writes) and is finished as complete.

Extraction is the crawl's own (``extract_article``), and so is its handling of failure:
when an extractor crashes on a page, the crawl keeps the page as an ``error``
observation and makes no version; reparse does the same (an ``error`` observation of
the reparse run, on the stored page, with the same message), never a version with the
crashed field empty (docs/record.md, "When extraction fails"). So are its settings: a
page is re-extracted with the site timezone of the crawl that fetched it
(``CFBU_SITE_TIMEZONE`` in that run's settings; Europe/Copenhagen for runs made before
the setting existed) unless ``site_timezone`` overrides it.

An archive may hold a hundred thousand pages. They are read a few hundred at a time,
extracted in worker processes (``procpool``: every core extracts while this process
reads and writes), and written in short transactions (``ArchiveWriter``'s batches, the
run's counts and heartbeat in the same transaction), in the order of the articles'
URLs. An extractor given by the caller (tests) runs in this process.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cfbu_crawler.archive.content import changed_fields, content_hash
from cfbu_crawler.archive.models import Article, Observation, RawPage, Run
from cfbu_crawler.archive.rawpages import inflate
from cfbu_crawler.archive.sqltext import byte_order
from cfbu_crawler.archive.store import ArchiveWriter
from cfbu_crawler.archive.timeutil import utcnow
from cfbu_crawler.archive.versioning import add_version, latest_version
from cfbu_crawler.archive.vocabulary import Cause, Outcome, RunStatus
from cfbu_crawler.extract import (
    DEFAULT_SITE_TIMEZONE,
    EXTRACTOR_VERSION,
    Extraction,
    error_text,
    extract_article,
)
from cfbu_crawler.procpool import available_cores, extraction_pool

# ``extract(html_bytes, url, encoding)``: ``extract_article``, or a stand-in in tests.
Extractor = Callable[[bytes, str, str | None], Extraction]
# Articles whose pages are read from the archive at a time.
CHUNK = 200
# Pages being extracted at a time, per worker process (the rest wait, unread).
IN_FLIGHT_PER_WORKER = 16
# Fewer articles than this are extracted here: starting worker processes takes longer.
POOL_FROM = 100


@dataclass(frozen=True)
class Source:
    """An article's latest stored page, as reparse needs it (plain values)."""

    article_id: int
    run_id: int  # the run that fetched it
    url: str  # the URL the page answered under
    raw_page_id: int
    compressed: bytes
    compression: str
    encoding: str | None
    observation: dict[str, Any]  # what an error observation copies from the page's fetch


@dataclass(frozen=True)
class Reextracted:
    """What extracting a page again gave: the record and its hash, or the error."""

    record: dict[str, Any] | None = None
    digest: str | None = None
    missing: tuple[str, ...] = ()
    error: str | None = None


def reextract(
    compressed: bytes, compression: str, url: str, encoding: str | None, extract: Extractor
) -> Reextracted:
    """Extract a stored page again (in a worker process, or here): the record, or the
    error as the crawl writes it down."""
    try:
        result = extract(inflate(compressed, compression), url, encoding)
        if result.failed:
            return Reextracted(error=error_text(result.error_lines()))
    except Exception as exc:  # a page the new extractor cannot handle: keep going
        message = (str(exc).splitlines() or [""])[0] or type(exc).__name__
        return Reextracted(error=f"{type(exc).__name__}: {message}")
    record = result.record()
    return Reextracted(record, content_hash(record), tuple(result.missing))


def _latest_sources(session: Session, article_ids: list[int]) -> dict[int, Source]:
    """The latest observation of each article that showed a version and kept its body,
    with that body (compressed, as stored)."""
    ranked = (
        select(
            Observation.id,
            func.row_number()
            .over(
                partition_by=Observation.article_id,
                order_by=(Observation.run_id.desc(), Observation.id.desc()),
            )
            .label("rank"),
        )
        .join(RawPage, RawPage.id == Observation.raw_page_id)
        .where(Observation.article_id.in_(article_ids), Observation.version_id.is_not(None))
        .subquery()
    )
    rows = session.execute(
        select(Observation, RawPage)
        .join(ranked, ranked.c.id == Observation.id)
        .join(RawPage, RawPage.id == Observation.raw_page_id)
        .where(ranked.c.rank == 1)
    )
    sources = {}
    for observation, page in rows:
        assert observation.article_id is not None  # as the query asks
        sources[observation.article_id] = Source(
            article_id=observation.article_id,
            run_id=observation.run_id,
            url=observation.final_url or observation.url,
            raw_page_id=page.id,
            compressed=page.content,
            compression=page.compression,
            encoding=page.encoding,
            observation={
                "url": observation.url,
                "final_url": observation.final_url,
                "status_code": observation.status_code,
                "fetched_at": observation.fetched_at,
                "bytes": observation.bytes,
            },
        )
    return sources


def _sources(
    writer: ArchiveWriter, articles: list[tuple[int, str]]
) -> Iterator[tuple[str, Source | None]]:
    """Every article's URL with its latest stored page (None: no page to re-extract)."""
    for start in range(0, len(articles), CHUNK):
        chunk = articles[start : start + CHUNK]
        with writer.factory() as session:
            found = _latest_sources(session, [article_id for article_id, _ in chunk])
        for article_id, url in chunk:
            yield url, found.get(article_id)


class _Extractions:
    """Pages extracted again, in the order they were given: by a worker pool (the crawl's
    ``extract_article``, with the site timezone of the crawl that fetched each page) or,
    for an extractor given by the caller, here."""

    def __init__(
        self,
        engine_writer: ArchiveWriter,
        extract: Extractor | None,
        workers: int,
        site_timezone: str | None,
    ) -> None:
        self.writer = engine_writer
        self.given = extract
        self.site_timezone = site_timezone
        self.zones: dict[int, str] = {}  # run id → site timezone of that crawl
        self.pool: ProcessPoolExecutor | None = (
            extraction_pool(workers) if extract is None and workers > 0 else None
        )
        self.window = max(1, workers) * IN_FLIGHT_PER_WORKER

    def extractor(self, source: Source) -> Extractor:
        if self.given is not None:
            return self.given
        zone = self.site_timezone or self._crawl_timezone(source.run_id)
        return functools.partial(extract_article, site_timezone=zone)

    def _crawl_timezone(self, run_id: int) -> str:
        """The site timezone the crawl that fetched a page extracted it with."""
        if run_id not in self.zones:
            with self.writer.factory() as session:
                run = session.get(Run, run_id)
                recorded = (run.settings or {}).get("CFBU_SITE_TIMEZONE") if run else None
            self.zones[run_id] = recorded or DEFAULT_SITE_TIMEZONE
        return self.zones[run_id]

    def __call__(
        self, sources: Iterator[tuple[str, Source | None]]
    ) -> Iterator[tuple[str, Source | None, Reextracted | None]]:
        pending: deque[tuple[str, Source | None, Future[Reextracted] | Reextracted | None]] = (
            deque()
        )
        for url, source in sources:
            pending.append((url, source, self._start(source)))
            if len(pending) >= self.window:
                yield self._finish(pending.popleft())
        while pending:
            yield self._finish(pending.popleft())

    def _start(self, source: Source | None) -> Future[Reextracted] | Reextracted | None:
        if source is None:
            return None
        args = (
            source.compressed,
            source.compression,
            source.url,
            source.encoding,
            self.extractor(source),
        )
        if self.pool is None:
            return reextract(*args)
        return self.pool.submit(reextract, *args)

    @staticmethod
    def _finish(
        item: tuple[str, Source | None, Future[Reextracted] | Reextracted | None],
    ) -> tuple[str, Source | None, Reextracted | None]:
        url, source, result = item
        if isinstance(result, Future):
            result = result.result()
        return url, source, result

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def reparse_archive(
    engine: Engine,
    *,
    extract: Extractor | None = None,
    extractor_version: str | None = None,
    progress: Callable[[str, str], None] | None = None,
    total: Callable[[int], None] | None = None,
    workers: int | None = None,
    batch_seconds: float = 1.0,
    site_timezone: str | None = None,
) -> dict[str, Any]:
    """Re-extract every article's latest stored page; add ``extractor`` versions.

    ``extract(html_bytes, url, encoding)`` defaults to ``cfbu_crawler.extract.extract_article``
    in ``workers`` processes (default: one per core, for ``POOL_FROM`` articles or more;
    0 extracts here); an ``extract`` given
    (tests inject others) runs here. ``total(n)`` is called once with the number of
    articles, ``progress(url, outcome)`` per article. Returns ``{"run_id",
    "extractor_version", "articles", "changed", "unchanged", "failed", "skipped",
    "failures": [{"url", "error"}]}``: ``skipped`` counts the articles with no stored raw
    page (they are not re-extracted); ``failed`` the pages extraction failed on, each
    also kept as an ``error`` observation of the run. Raises ``lock.LockHeld`` while a
    crawl runs. ``site_timezone`` overrides the site timezone each page's crawl recorded
    (see the module's docstring); an injected ``extract`` is called as given.
    """
    extractor_version = extractor_version or EXTRACTOR_VERSION
    writer = ArchiveWriter(
        engine, extractor_version=extractor_version, batch_seconds=batch_seconds, batch_pages=500
    )
    run_id = writer.begin_run(
        start_url=None,
        full=True,
        settings={"extractor_version": extractor_version, "CFBU_SITE_TIMEZONE": site_timezone},
        kind="reparse",
    )
    counts = {"articles": 0, "changed": 0, "unchanged": 0, "failed": 0, "skipped": 0}
    failures: list[dict[str, str]] = []
    status, reason = RunStatus.COMPLETE, "finished"
    extractions: _Extractions | None = None
    try:
        with writer.factory() as session:
            articles = [
                (article_id, url)
                for article_id, url in session.execute(
                    select(Article.id, Article.url).order_by(byte_order(Article.url))
                )
            ]
        if workers is None:
            workers = available_cores() if len(articles) >= POOL_FROM else 0
        extractions = _Extractions(writer, extract, workers, site_timezone)
        if total is not None:
            total(len(articles))
        for url, source, result in extractions(_sources(writer, articles)):
            outcome, error = _store(writer, source, result, extractor_version)
            counts["articles"] += 1
            counts[outcome] += 1
            if error is not None:
                failures.append({"url": url, "error": error})
            if progress is not None:
                progress(url, outcome)
    except KeyboardInterrupt:
        status, reason = RunStatus.INTERRUPTED, "interrupted"
        raise
    except BaseException as exc:
        status, reason = RunStatus.FAILED, (str(exc).splitlines() or [type(exc).__name__])[0][:64]
        raise
    finally:
        if extractions is not None:
            extractions.close()
        writer.finish_run(status, reason=reason, requests=0, listing_complete=False)
    return {
        "run_id": run_id,
        "extractor_version": extractor_version,
        **counts,
        "failures": failures,
    }


def _store(
    writer: ArchiveWriter,
    source: Source | None,
    result: Reextracted | None,
    extractor_version: str,
) -> tuple[str, str | None]:
    """Keep what re-extracting one article gave, in the writer's open batch: (outcome,
    error). The run's counts change in the same transaction."""
    if source is None or result is None:
        return "skipped", None

    def work(session: Session, run: Run) -> str:
        latest = latest_version(session, source.article_id)
        if latest is None:
            return "skipped"
        run.pages += 1
        if result.error is not None:
            _record_failure(session, run, source, result.error)
            return "failed"
        assert result.record is not None and result.digest is not None
        if result.digest == latest.content_hash:
            run.unchanged += 1
            return "unchanged"
        article = session.get(Article, source.article_id)
        assert article is not None
        add_version(
            session,
            article,
            result.record,
            run_id=run.id,
            cause=Cause.EXTRACTOR,
            changed=changed_fields(latest, result.record),
            digest=result.digest,
            extractor_version=extractor_version,
            raw_page_id=source.raw_page_id,
            missing=list(result.missing),
            now=utcnow(),
            number=latest.number + 1,
        )
        run.changed += 1
        return "changed"

    outcome = writer.record(work)
    return outcome, result.error if outcome == "failed" else None


def _record_failure(session: Session, run: Run, source: Source, error: str) -> None:
    """Keep a failed re-extraction as the crawl keeps a failed extraction: an ``error``
    observation with the page it failed on (here the stored one, as fetched) and no
    version."""
    session.add(
        Observation(
            run_id=run.id,
            article_id=source.article_id,
            outcome=Outcome.ERROR,
            raw_page_id=source.raw_page_id,
            error=error,
            **source.observation,
        )
    )
    run.errors += 1


__all__ = ["reextract", "reparse_archive"]
