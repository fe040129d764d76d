"""What changed on the site between two crawl runs (``cfbu diff``), in the shape the
README shows under "Diff".

Everything is reconstructed from the archive's history, so any two finished crawl runs
can be compared, not only the last two:

- an article *exists* at run R when it was first seen in a run <= R;
- it is *gone* at R when the newest complete crawl run <= R that declared it removed
  (an observation ``gone`` in a complete run) is newer than the newest run <= R that saw
  it live (an observation ``new``, ``changed``, ``unchanged``, ``not_modified``,
  ``moved`` or ``skipped``). This is the rule ``ArchiveWriter.finish_run`` applies, and
  it agrees with ``articles.gone_run_id`` for the current state, but it also remembers
  removals of articles that later came back (whose ``gone_run_id`` was cleared); only a
  complete run ever removes, so failed and interrupted runs never do;
- it is *live* at R when it exists and is not gone;
- the version it had at R is its highest-numbered version with ``run_id <= R``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cfbu_crawler.archive.content import CONTENT_FIELDS, content_of
from cfbu_crawler.archive.db import ArchiveError, session_factory
from cfbu_crawler.archive.models import Article, Observation, Run, Version
from cfbu_crawler.archive.vocabulary import LIVE_OUTCOMES, Cause, Outcome, RunStatus


def complete_crawl_runs(session: Session) -> list[int]:
    """Ids of the complete crawl runs, oldest first."""
    return list(
        session.scalars(
            select(Run.id)
            .where(Run.kind == "crawl", Run.status == RunStatus.COMPLETE)
            .order_by(Run.id)
        )
    )


def _check_run(session: Session, run_id: int, role: str) -> Run:
    run = session.get(Run, run_id)
    if run is None:
        raise ArchiveError(f"no run {run_id} in this archive (see `cfbu runs`)")
    if run.kind != "crawl":
        raise ArchiveError(f"run {run_id} is a {run.kind} run, not a crawl: pick crawl runs")
    if run.status == RunStatus.RUNNING:
        raise ArchiveError(f"run {run_id} is still running: {role} must be a finished run")
    return run


def resolve_runs(session: Session, from_run: int | None, to_run: int | None) -> tuple[Run, Run]:
    """The two runs to compare: given ones, or FROM → latest complete, or the last two
    complete crawl runs. Raises ArchiveError with a one-line reason."""
    complete = complete_crawl_runs(session)
    if from_run is None and to_run is not None:
        raise ArchiveError("give FROM as well as TO")
    if from_run is None:
        if len(complete) < 2:
            have = "no complete crawl run" if not complete else "only one complete crawl run"
            raise ArchiveError(
                f"nothing to compare: the archive has {have} (diff needs two; see `cfbu runs`)"
            )
        from_run, to_run = complete[-2], complete[-1]
    older = _check_run(session, from_run, "FROM")
    if to_run is None:
        if not complete:
            raise ArchiveError("no complete crawl run to compare with (see `cfbu runs`)")
        to_run = complete[-1]
        if to_run <= from_run:
            raise ArchiveError(
                f"run {from_run} is not older than the latest complete run ({to_run}): "
                "nothing newer to compare it with"
            )
    newer = _check_run(session, to_run, "TO")
    if older.id >= newer.id:
        raise ArchiveError(f"FROM (run {older.id}) must be an older run than TO (run {newer.id})")
    return older, newer


def _max_run_per_article(session: Session, *conditions: Any) -> dict[int, int]:
    rows = session.execute(
        select(Observation.article_id, func.max(Observation.run_id))
        .join(Run, Run.id == Observation.run_id)
        .where(Observation.article_id.is_not(None), *conditions)
        .group_by(Observation.article_id)
    ).all()
    return {article_id: run_id for article_id, run_id in rows if article_id is not None}


def live_article_ids(session: Session, run_id: int) -> set[int]:
    """Ids of the articles live at run ``run_id`` (see the module docstring)."""
    existing = set(session.scalars(select(Article.id).where(Article.first_run_id <= run_id)))
    last_live = _max_run_per_article(
        session, Observation.run_id <= run_id, Observation.outcome.in_(LIVE_OUTCOMES)
    )
    last_gone = _max_run_per_article(
        session,
        Observation.run_id <= run_id,
        Observation.outcome == Outcome.GONE,
        Run.status == RunStatus.COMPLETE,
        Run.kind == "crawl",
    )
    return {a for a in existing if last_gone.get(a, 0) <= last_live.get(a, 0)}


def versions_at(session: Session, run_id: int, article_ids: set[int]) -> dict[int, Version]:
    """Each article's version at run ``run_id``: its highest-numbered one with run_id <= it."""
    if not article_ids:
        return {}
    newest = (
        select(Version.article_id, func.max(Version.number).label("number"))
        .where(Version.run_id <= run_id)
        .group_by(Version.article_id)
        .subquery()
    )
    rows = session.scalars(
        select(Version).join(
            newest,
            (newest.c.article_id == Version.article_id) & (newest.c.number == Version.number),
        )
    )
    return {v.article_id: v for v in rows if v.article_id in article_ids}


def _urls_at(session: Session, run_id: int, articles: dict[int, Article]) -> dict[int, str]:
    """Each article's URL as it was at run ``run_id``: the URL a later move left, if the
    article moved after that run, else its current URL."""
    urls = {a.id: a.url for a in articles.values()}
    later_moves = session.execute(
        select(Observation.article_id, Observation.url)
        .where(Observation.outcome == Outcome.MOVED, Observation.run_id > run_id)
        .order_by(Observation.run_id.desc(), Observation.id.desc())
    ).all()
    for article_id, url in later_moves:  # newest first: the oldest move wins
        if article_id in urls:
            urls[article_id] = url
    return urls


def _moves(
    session: Session,
    f: int,
    t: int,
    existed_from: set[int],
    articles: dict[int, Article],
    urls: dict[int, str],
) -> list[dict[str, Any]]:
    """The moves in (f, t] of articles that existed at f: ``{"id", "from", "to"}``, from
    the URL of the first move in the range to the article's URL at t (there and back
    again is no move)."""
    first_move: dict[int, str] = {}
    for article_id, url in session.execute(
        select(Observation.article_id, Observation.url)
        .where(
            Observation.outcome == Outcome.MOVED,
            Observation.run_id > f,
            Observation.run_id <= t,
            Observation.article_id.is_not(None),
        )
        .order_by(Observation.run_id, Observation.id)
    ):
        if article_id in existed_from:
            first_move.setdefault(article_id, url)
    moved: list[dict[str, Any]] = []
    for article_id, old_url in first_move.items():
        article = articles.get(article_id) or session.get(Article, article_id)
        if article is None:
            continue
        new_url = urls.get(article_id, article.url)
        if old_url != new_url:
            moved.append({"id": article_id, "from": old_url, "to": new_url})
    return moved


def _changes(
    session: Session,
    f: int,
    t: int,
    both: set[int],
    at_to: dict[int, Version],
    urls: dict[int, str],
) -> list[dict[str, Any]]:
    """Articles live at f and t whose site-caused content differs between them:
    ``{"id", "url", "title", "fields", "changes"}``."""
    site_fields: dict[int, set[str]] = {}
    for article_id, fields in session.execute(
        select(Version.article_id, Version.changed_fields).where(
            Version.cause == Cause.SITE,
            Version.run_id > f,
            Version.run_id <= t,
        )
    ):
        if article_id in both:
            site_fields.setdefault(article_id, set()).update(fields or [])
    at_from = versions_at(session, f, set(site_fields))
    changed = []
    for article_id, candidates in site_fields.items():
        old, new = at_from.get(article_id), at_to.get(article_id)
        if old is None or new is None:
            continue
        a, b = content_of(old), content_of(new)
        fields = [x for x in CONTENT_FIELDS if x in candidates and a[x] != b[x]]
        if fields:
            changed.append(
                {
                    "id": article_id,
                    "url": urls[article_id],
                    "title": new.title,
                    "fields": fields,
                    "changes": {x: {"from": a[x], "to": b[x]} for x in fields},
                }
            )
    return changed


def diff_runs(
    engine: Engine, from_run: int | None = None, to_run: int | None = None
) -> dict[str, Any]:
    """Compare two crawl runs.

    Returns ``{"from_run", "to_run", "added": [{"url", "title"}], "removed": [{"url"}],
    "moved": [{"from", "to"}], "changed": [{"url", "title", "fields", "changes"}],
    "unchanged": N}``, lists sorted by URL (``moved`` by ``from``).

    - **added**: live at TO but not at FROM: first seen in (FROM, TO], or back after a
      removal (then with ``"restored": true``).
    - **removed**: live at FROM and gone at TO (declared removed by a complete run in
      (FROM, TO] and not seen live again since). Failed or interrupted runs never remove.
    - **moved**: existed at FROM and has an observation ``moved`` in (FROM, TO]: ``from``
      is the URL the crawler requested (the old article URL, taken from the first move in
      the range), ``to`` the article's URL at TO. Moves and back again are left out.
    - **changed**: live at both runs and its site-caused content differs: the fields named
      by the ``changed_fields`` of versions with cause ``site`` made in (FROM, TO] whose
      value at TO differs from the value at FROM. Versions made by ``cfbu reparse``
      (cause ``extractor``) are not site changes and never make an article changed by
      themselves; ``changes`` maps each field to ``{"from": old, "to": new}``.
    - **unchanged**: the number of articles live at both runs that are neither changed nor
      moved. A moved article whose content did not change is counted as moved only (not
      unchanged); one whose content also changed is listed in both moved and changed.

    The run arguments: both None → the last two complete crawl runs; only ``from_run`` →
    from it to the latest complete crawl run. Explicit runs may be any finished crawl runs
    (complete, failed or interrupted). Unknown runs, runs still running, reparse runs, FROM
    not older than TO, or fewer than two complete runs raise ArchiveError.
    """
    with session_factory(engine)() as session:
        older, newer = resolve_runs(session, from_run, to_run)
        f, t = older.id, newer.id
        live_from = live_article_ids(session, f)
        live_to = live_article_ids(session, t)
        existed_from = set(session.scalars(select(Article.id).where(Article.first_run_id <= f)))
        involved = live_from | live_to
        # Filtered here rather than with IN (...): archives can hold many thousand articles.
        articles = {a.id: a for a in session.scalars(select(Article)) if a.id in involved}
        urls = _urls_at(session, t, articles)
        at_to = versions_at(session, t, live_to)

        # Live at TO but not at FROM: new, or back after a removal ("restored").
        added = [
            {"url": urls[a], "title": at_to[a].title if a in at_to else None}
            | ({"restored": True} if a in existed_from else {})
            for a in live_to - live_from
        ]
        removed = [{"url": urls[a]} for a in live_from - live_to]

        moved = _moves(session, f, t, existed_from, articles, urls)
        changed = _changes(session, f, t, live_from & live_to, at_to, urls)
        moved_ids = {m.pop("id") for m in moved}
        changed_ids = {c.pop("id") for c in changed}
        unchanged = len((live_from & live_to) - changed_ids - moved_ids)

        return {
            "from_run": f,
            "to_run": t,
            "added": sorted(added, key=lambda x: x["url"]),
            "removed": sorted(removed, key=lambda x: x["url"]),
            "moved": sorted(moved, key=lambda x: (x["from"], x["to"])),
            "changed": sorted(changed, key=lambda x: x["url"]),
            "unchanged": unchanged,
        }


__all__ = ["diff_runs", "live_article_ids", "resolve_runs", "versions_at"]
