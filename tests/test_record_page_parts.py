"""The three parts of ``ArchiveWriter.record_page``, each on its own: identity resolution
(which article), versioning (a new version or not, and why) and bookkeeping (aliases,
observations, run counters); and the one transaction they share."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from cfbu_crawler.archive.bookkeeping import (
    add_aliases,
    count_page,
    save_article,
    seen_in_run,
    touch,
)
from cfbu_crawler.archive.content import content_hash
from cfbu_crawler.archive.db import open_engine, session_factory
from cfbu_crawler.archive.fetched import FetchedPage
from cfbu_crawler.archive.identity import (
    article_by_url,
    find_article,
    move_evidence,
    new_article,
    resolve_identity,
)
from cfbu_crawler.archive.models import (
    Article,
    ArticleURL,
    Observation,
    RawPage,
    Run,
    Version,
)
from cfbu_crawler.archive.rawpages import store_raw_page
from cfbu_crawler.archive.store import ArchiveWriter
from cfbu_crawler.archive.versioning import LatestVersion, Versioned, revive, version_page
from cfbu_crawler.archive.vocabulary import ArticleStatus, Cause, Outcome, RunStatus

BASE = "http://127.0.0.1:1/nyheder/"
NOW = datetime(2026, 1, 2, 3, 4, 5)


def record(title: str = "Titel", body: str = "Tekst.") -> dict:
    return {"title": title, "breadcrumb": [], "published": "2015-11-30", "body": body, "qa": []}


def fetched(
    slug: str, rec: dict | None = None, *, requested: str | None = None, **kw
) -> FetchedPage:
    url = BASE + slug + "/"
    return FetchedPage(
        requested_url=requested or url,
        final_url=url,
        identity_url=url,
        status=200,
        record=rec or record(),
        raw=f"<html>{slug}</html>".encode(),
        redirect_urls=[requested] if requested else [],
        **kw,
    )


@pytest.fixture
def session(archive_url: str) -> Iterator[Session]:
    engine = open_engine(archive_url, create=True)
    with session_factory(engine)() as session:
        yield session
    engine.dispose()


def new_run(session: Session) -> Run:
    run = Run(
        kind="crawl",
        status=RunStatus.RUNNING,
        started_at=NOW,
        software_version="t",
        extractor_version="t",
    )
    session.add(run)
    session.flush()
    return run


def stored(session: Session, run: Run, slug: str, rec: dict | None = None) -> Article:
    """An article with one version, as an earlier run left it."""
    article = new_article(session, BASE + slug + "/", run_id=run.id, now=NOW)
    add_aliases(session, article, [article.url], NOW)
    raw_id = store_raw_page(session, slug.encode(), content_type=None, encoding=None)
    rec = rec or record()
    version_page(
        session,
        article,
        rec,
        digest=content_hash(rec),
        run_id=run.id,
        raw_page_id=raw_id,
        extractor_version="t",
        missing=[],
        now=NOW,
    )
    return article


def resolve(session: Session, page: FetchedPage, run: Run):
    return resolve_identity(session, page, digest=content_hash(page.record), run=run, now=NOW)


# -- identity ------------------------------------------------------------------------


def test_move_evidence_is_a_redirect_or_a_canonical_link_away_from_the_url_asked_for() -> None:
    assert move_evidence(fetched("new", requested=BASE + "old/")) == [BASE + "old/"]
    canonical = FetchedPage(
        requested_url=BASE + "a/?utm=x&id=2",
        final_url=BASE + "a/?utm=x&id=2",
        identity_url=BASE + "b/",
        status=200,
        record=record(),
        raw=b"",
    )
    assert move_evidence(canonical) == [BASE + "a/?utm=x&id=2"]
    assert move_evidence(fetched("a")) == []


def test_an_article_is_found_by_its_own_url_or_any_alias(session: Session) -> None:
    run = new_run(session)
    article = stored(session, run, "a")
    add_aliases(session, article, [BASE + "page/2/a"], NOW)
    assert article_by_url(session, BASE + "a/") is article
    assert article_by_url(session, BASE + "page/2/a") is article
    assert article_by_url(session, BASE + "b/") is None


def test_an_unknown_page_is_a_new_article(session: Session) -> None:
    run = new_run(session)
    identity = resolve(session, fetched("a"), run)
    assert identity.article.url == BASE + "a/" and identity.article.first_run_id == run.id
    assert identity.moved_from is None and identity.merged_away is None


def test_a_known_page_is_its_article(session: Session) -> None:
    run = new_run(session)
    article = stored(session, run, "a")
    assert resolve(session, fetched("a", record(title="Ny")), run).article is article


def test_a_redirect_from_a_known_url_to_an_unknown_one_moves_the_article(
    session: Session,
) -> None:
    run = new_run(session)
    article = stored(session, run, "old")
    identity = resolve(session, fetched("new", requested=BASE + "old/"), run)
    assert identity.article is article and identity.moved_from == BASE + "old/"
    assert (article.url, article.slug) == (BASE + "new/", "new")
    assert session.scalar(select(func.count()).select_from(Article)) == 1


def test_an_old_address_answering_with_the_same_content_is_the_same_article(
    session: Session,
) -> None:
    run = new_run(session)
    article = stored(session, run, "a")
    add_aliases(session, article, [BASE + "a-old/"], NOW)
    assert resolve(session, fetched("a-old"), run).article is article


def test_a_reused_address_with_other_content_is_a_new_article(session: Session) -> None:
    run = new_run(session)
    article = stored(session, run, "a")
    add_aliases(session, article, [BASE + "a-old/"], NOW)
    identity = resolve(session, fetched("a-old", record(title="Noget andet")), run)
    assert identity.article is not article and identity.article.url == BASE + "a-old/"


def test_an_article_first_seen_after_the_old_one_is_merged_into_it_when_the_old_url_redirects(
    session: Session,
) -> None:
    first, second = new_run(session), new_run(session)
    old = stored(session, first, "old")
    newer = stored(session, second, "new", record(title="Ny titel"))
    newer_id = newer.id
    identity = resolve(
        session, fetched("new", record(title="Ny titel"), requested=BASE + "old/"), second
    )
    assert identity.article is old and identity.moved_from == BASE + "old/"
    assert session.scalar(select(Article.id).where(Article.id == newer_id)) is None
    numbers = session.scalars(select(Version.number).where(Version.article_id == old.id)).all()
    assert sorted(numbers) == [1, 2]
    assert second.changed == 1  # the merged-in version is a change of the old article
    aliases = session.scalars(select(ArticleURL.url).where(ArticleURL.article_id == old.id)).all()
    assert set(aliases) == {BASE + "old/", BASE + "new/"}


def test_a_known_article_redirecting_to_another_with_a_life_of_its_own_is_merged_away(
    session: Session,
) -> None:
    run = new_run(session)
    a, b = (
        stored(session, run, "a", record(title="A")),
        stored(session, run, "b", record(title="B")),
    )
    identity = resolve(session, fetched("b", record(title="B"), requested=BASE + "a/"), run)
    assert identity.article is b and identity.merged_away is a and identity.moved_from is None
    assert a.url == BASE + "a/"  # untouched: it is recorded as gone, not moved


# -- identity by Core statements: find_article, for a page without move evidence ------


def find(session: Session, page: FetchedPage, run: Run):
    return find_article(
        session.connection(), page, digest=content_hash(page.record), run_id=run.id, now=NOW
    )


def test_find_article_reads_a_known_page_with_its_latest_version_and_whether_the_run_saw_it(
    session: Session,
) -> None:
    run = new_run(session)
    article = stored(session, run, "a")
    identity = find(session, fetched("a", record(title="Ny")), run)
    assert identity.article.id == article.id and not identity.created
    assert inspect(identity.article).detached  # a copy of the row: saved by save_article
    latest = session.scalar(select(Version).where(Version.article_id == article.id))
    assert identity.latest == LatestVersion(latest.id, 1, latest.content_hash, "t")
    assert identity.seen_in_run is False
    session.add(
        Observation(
            run_id=run.id, article_id=article.id, url=article.url, fetched_at=NOW, outcome="error"
        )
    )
    session.flush()
    assert find(session, fetched("a"), run).seen_in_run is False  # a failed fetch
    assert find(session, fetched("a"), new_run(session)).seen_in_run is False
    observe_raw(session, article, b"a")
    assert find(session, fetched("a"), run).seen_in_run is True


def test_find_article_takes_an_old_address_for_its_article_while_it_says_the_same(
    session: Session,
) -> None:
    run = new_run(session)
    article = stored(session, run, "a")
    add_aliases(session, article, [BASE + "a-old/"], NOW)
    assert find(session, fetched("a-old"), run).article.id == article.id
    reused = find(session, fetched("a-old", record(title="Noget andet")), run)
    assert reused.created and reused.article.url == BASE + "a-old/"
    # Both as resolve_identity (the ORM's way, which moves and merges take) decides.
    assert resolve(session, fetched("a-old"), run).article is article


def test_an_unknown_page_found_by_find_article_is_saved_with_its_aliases_by_core_statements(
    session: Session,
) -> None:
    run = new_run(session)
    page = fetched("b", etag='"e1"')
    identity = find(session, page, run)
    assert identity.created and identity.latest is None and identity.seen_in_run is False
    touch(identity.article, page, run_id=run.id, now=NOW)
    save_article(session, identity.article, created=True)
    add_aliases(session, identity.article, page.urls(), NOW)
    assert not session.new and not session.dirty  # nothing for the ORM to write
    row = session.execute(select(Article.id, Article.url, Article.etag)).one()
    assert tuple(row) == (identity.article.id, BASE + "b/", '"e1"')
    assert article_by_url(session, BASE + "b/").id == identity.article.id
    identity.article.etag = '"e2"'
    save_article(session, identity.article, created=False)
    assert session.scalar(select(Article.etag)) == '"e2"'


# -- versioning ----------------------------------------------------------------------


def version(session: Session, article: Article, rec: dict, *, raw: bytes, extractor: str = "t"):
    raw_id = store_raw_page(session, raw, content_type=None, encoding=None)
    return version_page(
        session,
        article,
        rec,
        digest=content_hash(rec),
        run_id=article.last_run_id,
        raw_page_id=raw_id,
        extractor_version=extractor,
        missing=[],
        now=NOW,
    )


def observe_raw(session: Session, article: Article, raw: bytes) -> None:
    page = session.scalar(
        select(RawPage).where(RawPage.content.is_not(None), RawPage.size == len(raw))
    )
    session.add(
        Observation(
            run_id=article.last_run_id,
            article_id=article.id,
            url=article.url,
            fetched_at=NOW,
            outcome=Outcome.NEW,
            raw_page_id=page.id,
        )
    )
    session.flush()


def test_the_first_version_is_new(session: Session) -> None:
    article = new_article(session, BASE + "a/", run_id=new_run(session).id, now=NOW)
    made = version(session, article, record(), raw=b"1")
    assert made.outcome == Outcome.NEW and made.made and made.version.number == 1


def test_the_same_content_makes_no_version(session: Session) -> None:
    article = new_article(session, BASE + "a/", run_id=new_run(session).id, now=NOW)
    first = version(session, article, record(), raw=b"theme 1")
    again = version(session, article, record(), raw=b"theme 2")
    assert again.outcome == Outcome.UNCHANGED and not again.made
    assert again.version.id == first.version.id  # the same row: no version made


def test_other_content_makes_a_version_naming_the_changed_fields(session: Session) -> None:
    article = new_article(session, BASE + "a/", run_id=new_run(session).id, now=NOW)
    version(session, article, record(), raw=b"1")
    changed = version(session, article, record(body="Ny tekst."), raw=b"2")
    assert changed.outcome == Outcome.CHANGED and changed.cause == Cause.SITE
    assert changed.version.number == 2 and changed.version.changed_fields == ["body"]


def test_the_same_bytes_read_differently_by_a_newer_extractor_is_an_extractor_change(
    session: Session,
) -> None:
    article = new_article(session, BASE + "a/", run_id=new_run(session).id, now=NOW)
    version(session, article, record(), raw=b"same bytes")
    observe_raw(session, article, b"same bytes")
    newer = version(session, article, record(title="Bedre"), raw=b"same bytes", extractor="t2")
    assert newer.outcome == Outcome.CHANGED and newer.cause == Cause.EXTRACTOR
    other_bytes = version(session, article, record(title="Bedst"), raw=b"new bytes", extractor="t3")
    assert other_bytes.cause == Cause.SITE


def test_an_article_answering_again_after_removal_is_live_again(session: Session) -> None:
    run = new_run(session)
    article = stored(session, run, "a")
    assert not revive(article)
    article.status, article.gone_since, article.gone_run_id = ArticleStatus.GONE, NOW, run.id
    assert revive(article)
    assert (article.status, article.gone_since, article.gone_run_id) == ("live", None, None)


# -- bookkeeping ---------------------------------------------------------------------


def versioned(outcome: Outcome, cause: Cause = Cause.SITE) -> Versioned:
    previous = None if outcome == Outcome.NEW else Version(number=1)
    current = previous if outcome == Outcome.UNCHANGED else Version(number=2)
    return Versioned(current, previous, cause)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("outcome", "made", "cause", "first", "counts"),
    [
        (Outcome.NEW, Outcome.NEW, Cause.SITE, True, (1, 1, 0, 0, 0)),
        (Outcome.CHANGED, Outcome.CHANGED, Cause.SITE, True, (1, 0, 1, 0, 0)),
        (Outcome.CHANGED, Outcome.CHANGED, Cause.EXTRACTOR, True, (1, 0, 0, 1, 0)),
        (Outcome.UNCHANGED, Outcome.UNCHANGED, Cause.SITE, True, (1, 0, 0, 1, 0)),
        (Outcome.UNCHANGED, Outcome.UNCHANGED, Cause.SITE, False, (1, 0, 0, 0, 0)),
        # A move is counted as moved (and changed when its content changed), never also
        # as unchanged: as `cfbu diff` counts it, whichever URL the run met first.
        (Outcome.MOVED, Outcome.UNCHANGED, Cause.SITE, True, (1, 0, 0, 0, 1)),
        (Outcome.MOVED, Outcome.CHANGED, Cause.SITE, True, (1, 0, 1, 0, 1)),
        (Outcome.MOVED, Outcome.UNCHANGED, Cause.SITE, False, (1, 0, 0, 0, 1)),
    ],
)
def test_run_counters_count_an_article_once_and_every_move(
    outcome: Outcome, made: Outcome, cause: Cause, first: bool, counts: tuple
) -> None:
    run = Run(pages=0, new=0, changed=0, unchanged=0, moved=0)
    count_page(run, outcome, versioned(made, cause), first_in_run=first)
    assert (run.pages, run.new, run.changed, run.unchanged, run.moved) == counts


def test_every_url_of_a_fetch_becomes_an_alias_and_a_taken_alias_changes_hands(
    session: Session,
) -> None:
    run = new_run(session)
    a, b = stored(session, run, "a"), stored(session, run, "b", record(title="B"))
    add_aliases(session, b, fetched("b", requested=BASE + "a/").urls(), NOW)
    owners = dict(session.execute(select(ArticleURL.url, ArticleURL.article_id)).all())
    assert owners == {BASE + "a/": b.id, BASE + "b/": b.id}
    assert a.url == BASE + "a/"


def test_a_failed_fetch_does_not_count_as_seen_in_the_run(session: Session) -> None:
    run = new_run(session)
    article = stored(session, run, "a")
    session.add(
        Observation(
            run_id=run.id, article_id=article.id, url=article.url, fetched_at=NOW, outcome="error"
        )
    )
    assert not seen_in_run(session, run.id, article.id)
    session.add(
        Observation(
            run_id=run.id, article_id=article.id, url=article.url, fetched_at=NOW, outcome="gone"
        )
    )
    assert seen_in_run(session, run.id, article.id)


def test_a_sighting_keeps_the_sitemap_lastmod_when_the_fetch_came_without_one(
    session: Session,
) -> None:
    run = new_run(session)
    article = stored(session, run, "a")
    touch(
        article,
        fetched("a", sitemap_lastmod="2024-01-01", sitemap_url="s.xml"),
        run_id=run.id,
        now=NOW,
    )
    touch(article, fetched("a", etag='"v2"'), run_id=run.id, now=NOW)
    assert (article.sitemap_lastmod, article.sitemap_url, article.etag) == (
        "2024-01-01",
        "s.xml",
        '"v2"',
    )


# -- one transaction per page ----------------------------------------------------------


def test_a_page_that_fails_half_way_leaves_nothing_behind(
    archive_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = open_engine(archive_url, create=True)
    writer = ArchiveWriter(engine, extractor_version="t")
    writer.begin_run(start_url=BASE, full=False, settings={})

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("cfbu_crawler.archive.store.count_page", broken)
    with pytest.raises(RuntimeError):
        writer.record_page(fetched("a"))
    with session_factory(engine)() as session:
        for model in (Article, ArticleURL, Version, Observation, RawPage):
            assert session.scalar(select(func.count()).select_from(model)) == 0, model
    engine.dispose()
