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
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cfbu_crawler.archive import lock
from cfbu_crawler.archive.content import changed_fields, content_hash
from cfbu_crawler.archive.models import Article, Observation, RawPage, Run
from cfbu_crawler.archive.rawpages import raw_content
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

# ``extract(html_bytes, url, encoding)``: ``extract_article``, or a stand-in in tests.
Extractor = Callable[[bytes, str, str | None], Extraction]


def _source_page(session: Session, article_id: int) -> tuple[Observation, RawPage] | None:
    """The latest observation of an article that showed a version and kept its body."""
    row = session.execute(
        select(Observation, RawPage)
        .join(RawPage, RawPage.id == Observation.raw_page_id)
        .where(Observation.article_id == article_id, Observation.version_id.is_not(None))
        .order_by(Observation.run_id.desc(), Observation.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def reparse_archive(
    engine: Engine,
    *,
    extract: Extractor | None = None,
    extractor_version: str | None = None,
    progress: Callable[[str, str], None] | None = None,
    site_timezone: str | None = None,
) -> dict[str, Any]:
    """Re-extract every article's latest stored page; add ``extractor`` versions.

    ``extract(html_bytes, url, encoding)`` defaults to ``cfbu_crawler.extract.extract_article``
    (tests inject others); ``progress(url, outcome)`` is called per article. Returns
    ``{"run_id", "extractor_version", "articles", "changed", "unchanged", "failed",
    "skipped", "failures": [{"url", "error"}]}``: ``skipped`` counts the articles with no
    stored raw page (they are not re-extracted); ``failed`` the pages extraction failed
    on, each also kept as an ``error`` observation of the run. Raises ``lock.LockHeld``
    while a crawl runs. ``site_timezone`` overrides the site timezone each page's crawl
    recorded (see the module's docstring); an injected ``extract`` is called as given.
    """
    extractor_version = extractor_version or EXTRACTOR_VERSION
    writer = ArchiveWriter(engine, extractor_version=extractor_version)
    run_id = writer.begin_run(
        start_url=None,
        full=True,
        settings={"extractor_version": extractor_version, "CFBU_SITE_TIMEZONE": site_timezone},
        kind="reparse",
    )
    counts = {"articles": 0, "changed": 0, "unchanged": 0, "failed": 0, "skipped": 0}
    failures: list[dict[str, str]] = []
    status, reason = RunStatus.COMPLETE, "finished"
    try:
        with writer.factory() as session:
            article_ids = list(
                session.scalars(select(Article.id).order_by(byte_order(Article.url)))
            )
        for article_id in article_ids:
            outcome, url, error = _reparse_one(
                writer, run_id, article_id, extract, extractor_version, site_timezone
            )
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
        _store_counts(writer, run_id, counts)
        writer.finish_run(status, reason=reason, requests=0, listing_complete=False)
    return {
        "run_id": run_id,
        "extractor_version": extractor_version,
        **counts,
        "failures": failures,
    }


def _reparse_one(
    writer: ArchiveWriter,
    run_id: int,
    article_id: int,
    extract: Extractor | None,
    extractor_version: str,
    site_timezone: str | None,
) -> tuple[str, str, str | None]:
    """Re-extract one article in its own transaction: (outcome, url, error)."""
    with writer.factory() as session:
        article = session.get(Article, article_id)
        assert article is not None
        url = article.url
        source = _source_page(session, article_id)
        latest = latest_version(session, article_id)
        if source is None or latest is None:
            return "skipped", url, None
        observation, page = source
        if extract is None:
            zone = site_timezone or _crawl_timezone(session, observation)
            extract = functools.partial(extract_article, site_timezone=zone)
        try:
            result = extract(
                raw_content(page), observation.final_url or observation.url, page.encoding
            )
            error = error_text(result.error_lines()) if result.failed else None
        except Exception as exc:  # a page the new extractor cannot handle: keep going
            message = (str(exc).splitlines() or [""])[0] or type(exc).__name__
            error = f"{type(exc).__name__}: {message}"
        if error is not None:
            _record_failure(session, run_id, observation, page, error)
            _touch(session, run_id, errors=1)
            session.commit()
            return "failed", url, error
        record = result.record()
        digest = content_hash(record)
        if digest == latest.content_hash:
            _touch(session, run_id)
            session.commit()
            return "unchanged", url, None
        add_version(
            session,
            article,
            record,
            run_id=run_id,
            cause=Cause.EXTRACTOR,
            changed=changed_fields(latest, record),
            digest=digest,
            extractor_version=extractor_version,
            raw_page_id=page.id,
            missing=result.missing,
            now=utcnow(),
        )
        _touch(session, run_id)
        session.commit()
        return "changed", url, None


def _crawl_timezone(session: Session, observation: Observation) -> str:
    """The site timezone the crawl that fetched this page extracted it with."""
    run = session.get(Run, observation.run_id)
    recorded = (run.settings or {}).get("CFBU_SITE_TIMEZONE") if run is not None else None
    return recorded or DEFAULT_SITE_TIMEZONE


def _record_failure(
    session: Session, run_id: int, source: Observation, page: RawPage, error: str
) -> None:
    """Keep a failed re-extraction as the crawl keeps a failed extraction: an ``error``
    observation with the page it failed on (here the stored one, as fetched) and no
    version."""
    session.add(
        Observation(
            run_id=run_id,
            article_id=source.article_id,
            url=source.url,
            final_url=source.final_url,
            status_code=source.status_code,
            fetched_at=source.fetched_at,
            outcome=Outcome.ERROR,
            raw_page_id=page.id,
            bytes=source.bytes,
            error=error,
        )
    )


def _touch(session: Session, run_id: int, *, errors: int = 0) -> None:
    """Heartbeat of the run and of the lock, so a long reparse is not taken for stale."""
    run = session.get(Run, run_id)
    if run is not None:
        run.heartbeat_at = utcnow()
        run.errors += errors
    lock.heartbeat(session)


def _store_counts(writer: ArchiveWriter, run_id: int, counts: dict[str, int]) -> None:
    with writer.factory() as session:
        run = session.get(Run, run_id)
        if run is not None:
            run.pages = counts["articles"] - counts["skipped"]
            run.changed = counts["changed"]
            run.unchanged = counts["unchanged"]
            session.commit()


__all__ = ["reparse_archive"]
