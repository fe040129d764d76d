"""The archive writer: versions only on content change, moves, removals, the crawl lock."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from cfbu_crawler.archive import lock
from cfbu_crawler.archive.db import close_engine, open_engine, session_factory
from cfbu_crawler.archive.models import Article, ArticleURL, CrawlLock, Observation, Run, Version
from cfbu_crawler.archive.store import ArchiveWriter, FetchedPage

BASE = "http://127.0.0.1:1/nyheder/"


def record(title: str = "TITEL", body: str = "Første afsnit.\n\nAndet afsnit.", **kw) -> dict:
    out = {
        "title": title,
        "breadcrumb": ["Hjem", "Nyheder", title],
        "category": "nyheder",
        "published": "2015-11-30",
        "lead": body.split("\n\n")[0],
        "body": body,
        "qa": [],
    }
    out.update(kw)
    return out


def page(
    slug: str, rec: dict, *, requested: str | None = None, raw: bytes | None = None
) -> FetchedPage:
    url = BASE + slug + "/"
    return FetchedPage(
        requested_url=requested or url,
        final_url=url,
        identity_url=url,
        status=200,
        record=rec,
        raw=raw if raw is not None else f"<html>{slug}{rec['title']}</html>".encode(),
        redirect_urls=[requested] if requested else [],
    )


@pytest.fixture
def writer(archive_url: str) -> Iterator[ArchiveWriter]:
    engine = open_engine(archive_url, create=True)
    yield ArchiveWriter(engine, extractor_version="test")
    close_engine(engine)


def count(writer: ArchiveWriter, model) -> int:
    with session_factory(writer.engine)() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_unchanged_content_with_new_markup_adds_no_version(writer: ArchiveWriter) -> None:
    writer.begin_run(start_url=BASE, full=False, settings={})
    assert writer.record_page(page("a", record(), raw=b"<html>theme 1</html>")) == "new"
    writer.finish_run("complete", reason="finished")
    writer.begin_run(start_url=BASE, full=False, settings={})
    assert writer.record_page(page("a", record(), raw=b"<html>theme 2</html>")) == "unchanged"
    run = writer.finish_run("complete", reason="finished")
    assert count(writer, Version) == 1
    assert count(writer, Observation) == 2
    assert (run.new, run.unchanged, run.changed) == (0, 1, 0)


def test_changed_content_adds_a_version_naming_the_changed_fields(writer: ArchiveWriter) -> None:
    writer.begin_run(start_url=BASE, full=False, settings={})
    writer.record_page(page("a", record()))
    writer.finish_run("complete", reason="finished")
    writer.begin_run(start_url=BASE, full=False, settings={})
    assert writer.record_page(page("a", record(title="NY TITEL"))) == "changed"
    writer.finish_run("complete", reason="finished")
    with session_factory(writer.engine)() as session:
        versions = session.scalars(select(Version).order_by(Version.number)).all()
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].changed_fields == ["title", "breadcrumb"]


def test_raw_pages_are_stored_once_per_hash(writer: ArchiveWriter) -> None:
    from cfbu_crawler.archive.models import RawPage

    writer.begin_run(start_url=BASE, full=False, settings={})
    writer.record_page(page("a", record(), raw=b"<html>same</html>"))
    writer.record_page(page("b", record(title="B"), raw=b"<html>same</html>"))
    writer.finish_run("complete", reason="finished")
    assert count(writer, RawPage) == 1


def test_gone_is_applied_only_by_a_complete_run(writer: ArchiveWriter) -> None:
    writer.begin_run(start_url=BASE, full=False, settings={})
    writer.record_page(page("a", record()))
    writer.finish_run("complete", reason="finished")
    writer.begin_run(start_url=BASE, full=False, settings={})
    writer.record_outcome(BASE + "a/", "gone", status=404)
    writer.finish_run("interrupted", reason="shutdown")
    with session_factory(writer.engine)() as session:
        assert session.scalar(select(Article.status)) == "live"
    writer.begin_run(start_url=BASE, full=False, settings={})
    writer.record_outcome(BASE + "a/", "gone", status=404)
    run = writer.finish_run("complete", reason="finished")
    assert run.removed == 1
    with session_factory(writer.engine)() as session:
        assert session.scalar(select(Article.status)) == "gone"
        assert session.scalar(select(func.count()).select_from(Version)) == 1


def test_an_error_is_never_taken_for_a_removal(writer: ArchiveWriter) -> None:
    writer.begin_run(start_url=BASE, full=False, settings={})
    writer.record_page(page("a", record()))
    writer.finish_run("complete", reason="finished")
    writer.begin_run(start_url=BASE, full=False, settings={})
    writer.record_outcome(BASE + "a/", "error", error="TimeoutError")
    run = writer.finish_run("complete", reason="finished")
    assert (run.errors, run.removed) == (1, 0)
    with session_factory(writer.engine)() as session:
        assert session.scalar(select(Article.status)) == "live"


def test_redirect_from_a_known_url_is_a_move_of_the_same_article(writer: ArchiveWriter) -> None:
    writer.begin_run(start_url=BASE, full=False, settings={})
    writer.record_page(page("old-slug", record()))
    writer.finish_run("complete", reason="finished")
    writer.begin_run(start_url=BASE, full=False, settings={})
    assert writer.record_page(page("new-slug", record(), requested=BASE + "old-slug/")) == "moved"
    run = writer.finish_run("complete", reason="finished")
    assert (run.moved, run.new, run.changed) == (1, 0, 0)
    with session_factory(writer.engine)() as session:
        article = session.scalar(select(Article))
        assert article.url == BASE + "new-slug/"
        assert {a.url for a in session.scalars(select(ArticleURL))} >= {
            BASE + "old-slug/",
            BASE + "new-slug/",
        }
    assert count(writer, Article) == 1


def test_move_found_after_the_new_url_was_crawled_merges_into_one_article(
    writer: ArchiveWriter,
) -> None:
    writer.begin_run(start_url=BASE, full=False, settings={})
    writer.record_page(page("old-slug", record()))
    writer.finish_run("complete", reason="finished")
    writer.begin_run(start_url=BASE, full=False, settings={})
    assert writer.record_page(page("new-slug", record())) == "new"  # from the listing
    assert writer.record_page(page("new-slug", record(), requested=BASE + "old-slug/")) == "moved"
    run = writer.finish_run("complete", reason="finished")
    assert (run.moved, run.new) == (1, 0)
    assert count(writer, Article) == 1
    assert count(writer, Version) == 1


def test_second_writer_is_refused_while_the_first_holds_the_lock(writer: ArchiveWriter) -> None:
    factory = session_factory(writer.engine)
    lock.acquire(factory, pid=os.getppid())  # for another live process on this host
    try:
        with pytest.raises(lock.LockHeld, match=f"another crawl \\(pid {os.getppid()} on "):
            writer.begin_run(start_url=BASE, full=False, settings={})
    finally:
        lock.release(factory, pid=os.getppid())
    writer.begin_run(start_url=BASE, full=False, settings={})


# A crawl that takes the lock, begins its run and dies without a word (kill -9 would do
# the same: the process is gone, and with it its connections).
CRASHING_CRAWL = """
import os, sys
from cfbu_crawler.archive.db import open_engine
from cfbu_crawler.archive.store import ArchiveWriter
writer = ArchiveWriter(open_engine(sys.argv[1], create=True), extractor_version="test")
writer.begin_run(start_url=None, full=False, settings={})
print(os.getpid(), flush=True)
os._exit(0)
"""


def crash_holding_the_lock(db: str) -> int:
    """Run a crawl that dies holding the archive's lock; returns its (dead) pid."""
    proc = subprocess.run(
        [sys.executable, "-c", CRASHING_CRAWL, db], capture_output=True, text=True, check=True
    )
    return int(proc.stdout)


def test_stale_lock_of_a_dead_process_is_taken_over_and_its_run_marked_interrupted(
    writer: ArchiveWriter,
) -> None:
    dead = crash_holding_the_lock(writer.engine.url.render_as_string(hide_password=False))
    writer.begin_run(start_url=BASE, full=False, settings={})
    assert writer.replaced_holder is not None and writer.replaced_holder.pid == dead
    with session_factory(writer.engine)() as session:
        statuses = session.scalars(select(Run.status).order_by(Run.id)).all()
        assert session.get(CrawlLock, 1).pid == os.getpid()
    assert statuses == ["interrupted", "running"]


def test_redirect_to_another_known_article_retires_the_old_one(writer: ArchiveWriter) -> None:
    writer.begin_run(start_url=BASE, full=False, settings={})
    writer.record_page(page("a", record(title="A")))
    writer.record_page(page("b", record(title="B")))
    writer.finish_run("complete", reason="finished")
    writer.begin_run(start_url=BASE, full=False, settings={})
    writer.record_page(page("b", record(title="B")))
    assert writer.record_page(page("b", record(title="B"), requested=BASE + "a/")) == "unchanged"
    run = writer.finish_run("complete", reason="finished")
    assert run.removed == 1
    with session_factory(writer.engine)() as session:
        statuses = dict(session.execute(select(Article.slug, Article.status)).all())
    assert statuses == {"a": "gone", "b": "live"}


def test_a_reused_slug_is_a_new_article_not_the_old_one_moving_back(
    writer: ArchiveWriter,
) -> None:
    writer.begin_run(start_url=BASE, full=False, settings={})
    writer.record_page(page("a", record(title="A")))
    writer.finish_run("complete", reason="finished")
    writer.begin_run(start_url=BASE, full=False, settings={})
    assert writer.record_page(page("a-2018", record(title="A"), requested=BASE + "a/")) == "moved"
    writer.finish_run("complete", reason="finished")
    writer.begin_run(start_url=BASE, full=False, settings={})
    assert writer.record_page(page("a", record(title="N"))) == "new"  # same address, new text
    assert writer.record_page(page("a-2018", record(title="A"))) == "unchanged"
    writer.finish_run("complete", reason="finished")
    with session_factory(writer.engine)() as session:
        rows = dict(
            session.execute(
                select(Article.slug, func.count(Version.id)).join(Version).group_by(Article.slug)
            ).all()
        )
    assert rows == {"a": 1, "a-2018": 1}


def test_a_move_noticed_one_run_late_is_still_a_move(writer: ArchiveWriter) -> None:
    writer.begin_run(start_url=BASE, full=False, settings={})
    writer.record_page(page("a", record(title="A")))
    writer.finish_run("complete", reason="finished")
    writer.begin_run(start_url=BASE, full=False, settings={})
    assert writer.record_page(page("a-2018", record(title="A"))) == "new"  # listing
    writer.record_outcome(BASE + "a/", "error", error="timed out")  # the check of /a/
    writer.finish_run("complete", reason="finished")
    writer.begin_run(start_url=BASE, full=False, settings={})
    assert writer.record_page(page("a-2018", record(title="A"), requested=BASE + "a/")) == "moved"
    writer.finish_run("complete", reason="finished")
    assert count(writer, Article) == 1
    with session_factory(writer.engine)() as session:
        assert session.scalar(select(Article.url)) == BASE + "a-2018/"


def test_same_bytes_extracted_by_a_newer_extractor_is_an_extractor_change(
    writer: ArchiveWriter,
) -> None:
    writer.begin_run(start_url=BASE, full=False, settings={})
    writer.record_page(page("a", record(), raw=b"<html>same bytes</html>"))
    writer.finish_run("complete", reason="finished")
    newer = ArchiveWriter(writer.engine, extractor_version="test-2")
    newer.begin_run(start_url=BASE, full=True, settings={})
    better = record(category=None)
    assert newer.record_page(page("a", better, raw=b"<html>same bytes</html>")) == "changed"
    run = newer.finish_run("complete", reason="finished")
    assert (run.changed, run.unchanged) == (0, 1)
    with session_factory(writer.engine)() as session:
        causes = session.scalars(select(Version.cause).order_by(Version.number)).all()
    assert causes == ["site", "extractor"]


def test_a_failed_fetch_is_retried_even_after_an_interrupted_run(writer: ArchiveWriter) -> None:
    from cfbu_crawler.archive.state import load_crawl_state

    writer.begin_run(start_url=BASE, full=False, settings={})
    writer.record_page(page("a", record(title="A")))
    writer.record_outcome(BASE + "x/", "error", error="HTTP 500")
    writer.record_outcome(BASE + "a/", "error", error="HTTP 503")  # a later check of a
    writer.finish_run("complete", reason="finished")
    writer.begin_run(start_url=BASE, full=False, settings={})
    writer.finish_run("interrupted", reason="shutdown")  # retried nothing
    state = load_crawl_state(writer.engine)
    assert state.retry_urls == [BASE + "x/"]
    assert [a.url for a in state.articles.values() if a.needs_fetch] == [BASE + "a/"]
    writer.begin_run(start_url=BASE, full=False, settings={})
    writer.record_page(page("x", record(title="X")))
    writer.record_page(page("a", record(title="A")))
    writer.finish_run("complete", reason="finished")
    state = load_crawl_state(writer.engine)
    assert state.retry_urls == [] and not any(a.needs_fetch for a in state.articles.values())


def test_a_known_article_is_checked_directly_by_the_url_the_site_served_it_under(
    writer: ArchiveWriter,
) -> None:
    # The old scheme: the identity drops the page segment (/nyheder/nyhed/<slug>/), a URL
    # the old CMS never served; a direct check must use the URL that answered.
    from cfbu_crawler.archive.state import load_crawl_state

    served = BASE + "page/2/nyhed/aabner"
    identity = BASE + "nyhed/aabner/"
    writer.begin_run(start_url=BASE, full=False, settings={})
    writer.record_page(
        FetchedPage(
            requested_url=served,
            final_url=served,
            identity_url=identity,
            status=200,
            record=record(title="Centeret åbner"),
            raw=b"<html>aabner</html>",
        )
    )
    writer.record_page(page("plain", record(title="Plain")))
    writer.finish_run("complete", reason="finished")
    known = {a.url: a.fetch_url for a in load_crawl_state(writer.engine).articles.values()}
    assert known == {identity: served, BASE + "plain/": BASE + "plain/"}
