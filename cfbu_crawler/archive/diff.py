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

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from cfbu_crawler.archive.content import CONTENT_FIELDS, content_of
from cfbu_crawler.archive.coverage import CoverageDrop, coverage_drops
from cfbu_crawler.archive.db import ArchiveError, session_factory
from cfbu_crawler.archive.difflive import chunks, compare_liveness, existed_at, live_at_both
from cfbu_crawler.archive.models import Article, ArticleURL, Observation, Run, Version
from cfbu_crawler.archive.vocabulary import (
    LISTED_VIAS,
    LIVE_OUTCOMES,
    Cause,
    Outcome,
    RunStatus,
    StrEnum,
    Via,
)
from cfbu_crawler.extract.urls import url_key


class DiffWarning(StrEnum):
    """The kinds of ``warnings`` of a diff: why it may not tell the site's whole story."""

    COVERAGE_DROP = "coverage_drop"  # extraction found a field on markedly fewer articles
    RUN_NOT_COMPLETE = "run_not_complete"  # a compared run failed or was interrupted
    PAGE_ERRORS = "page_errors"  # pages of the newer run failed after retries


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


def _newest_versions(session: Session, run_id: int, ids: Iterable[int], *columns: Any) -> Any:
    """``columns`` of each article's version at run ``run_id`` (its highest-numbered one
    with run_id <= it), for the articles ``ids``: rows led by the article id."""
    older = aliased(Version)
    newest = (
        select(func.max(older.number))
        .where(older.article_id == Version.article_id, older.run_id <= run_id)
        .scalar_subquery()
    )
    for chunk in chunks(ids):
        yield from session.execute(
            select(Version.article_id, *columns).where(
                Version.article_id.in_(chunk), Version.number == newest
            )
        )


def _titles(session: Session, run_id: int, ids: Iterable[int]) -> dict[int, str | None]:
    """Each article's title at run ``run_id`` (none without a version by then)."""
    return dict(_newest_versions(session, run_id, ids, Version.title))


# What ``changed`` reads of a version: its content, and the run that made it.
_CONTENT = tuple(getattr(Version, f) for f in (*CONTENT_FIELDS, "run_id"))


def _contents(session: Session, run_id: int, ids: Iterable[int]) -> dict[int, Any]:
    """Each article's version at run ``run_id``, its content fields and ``run_id``."""
    return {row.article_id: row for row in _newest_versions(session, run_id, ids, *_CONTENT)}


def _departures(session: Session, *conditions: Any) -> list[tuple[int, int, str]]:
    """``(article id, run id, URL left)`` of every move (observations ``moved``) matching
    ``conditions``, oldest first. A run that fetched a moved article's new URL before
    learning of the move (through its old URL) logs that fetch as ``moved`` too: it is
    the arrival, not a departure, and is left out (it lands where another move of the
    same article in the same run ends)."""
    rows = session.execute(
        select(Observation.article_id, Observation.run_id, Observation.url, Observation.final_url)
        .where(
            Observation.outcome == Outcome.MOVED, Observation.article_id.is_not(None), *conditions
        )
        .order_by(Observation.run_id, Observation.id)
    ).all()
    arrivals = {
        (article_id, run_id, url_key(final_url))
        for article_id, run_id, url, final_url in rows
        if final_url and url_key(final_url) != url_key(url)
    }
    return [
        (article_id, run_id, url)
        for article_id, run_id, url, _ in rows
        if article_id is not None and (article_id, run_id, url_key(url)) not in arrivals
    ]


def _urls_at(session: Session, run_id: int, ids: Iterable[int]) -> dict[int, str]:
    """Each article's URL as it was at run ``run_id``: the URL a later move left, if the
    article moved after that run, else its current URL (articles ``ids``)."""
    urls: dict[int, str] = {}
    for chunk in chunks(ids):
        rows = session.execute(select(Article.id, Article.url).where(Article.id.in_(chunk)))
        urls.update({article_id: url for article_id, url in rows})
    for article_id, _, url in reversed(_departures(session, Observation.run_id > run_id)):
        if article_id in urls:  # newest first: the oldest move wins
            urls[article_id] = url
    return urls


def _first_moves(session: Session, f: int, t: int) -> dict[int, str]:
    """The articles that existed at ``f`` and moved in (f, t]: the URL the first move in
    the range left."""
    first_move: dict[int, str] = {}
    for article_id, _, url in _departures(session, Observation.run_id > f, Observation.run_id <= t):
        first_move.setdefault(article_id, url)
    existed = existed_at(session, f, first_move)
    return {a: url for a, url in first_move.items() if a in existed}


def _changes(session: Session, f: int, t: int) -> list[dict[str, Any]]:
    """Articles live at f and t whose site-caused content differs between them:
    ``{"id", "title", "fields", "changes", "base_run"}``."""
    site_fields: dict[int, set[str]] = {}
    for article_id, fields in session.execute(
        select(Version.article_id, Version.changed_fields).where(
            Version.cause == Cause.SITE,
            Version.run_id > f,
            Version.run_id <= t,
        )
    ):
        site_fields.setdefault(article_id, set()).update(fields or [])
    both = live_at_both(session, f, t, site_fields)
    at_from, at_to = _contents(session, f, both), _contents(session, t, both)
    changed = []
    for article_id in both:
        old, new = at_from.get(article_id), at_to.get(article_id)
        if old is None or new is None:
            continue
        a, b = content_of(old), content_of(new)
        fields = [x for x in CONTENT_FIELDS if x in site_fields[article_id] and a[x] != b[x]]
        if fields:
            changed.append(
                {
                    "id": article_id,
                    "title": new.title,
                    "fields": fields,
                    "changes": {x: {"from": a[x], "to": b[x]} for x in fields},
                    "base_run": old.run_id,  # the run that made the version at f
                }
            )
    return changed


def _first_archived(session: Session, f: int, candidates: set[int]) -> dict[int, dict[str, Any]]:
    """Of the articles first archived after run ``f`` (``candidates``), those the crawler
    had already tried to fetch by run ``f`` and failed on: not new on the site, only new
    in the archive. ``{article id: {"reason", "failed_in_run"}}`` from the latest failure."""
    if not candidates:
        return {}
    keys: dict[str, int] = {}
    for chunk in chunks(candidates):
        keys.update(
            {
                key: a
                for a, key in session.execute(
                    select(Article.id, Article.key).where(Article.id.in_(chunk))
                )
            }
        )
        for article_id, key in session.execute(
            select(ArticleURL.article_id, ArticleURL.key).where(ArticleURL.article_id.in_(chunk))
        ):
            keys.setdefault(key, article_id)
    failed: dict[int, dict[str, Any]] = {}
    for url, run_id, error in session.execute(
        select(Observation.url, Observation.run_id, Observation.error)
        .join(Run, Run.id == Observation.run_id)
        .where(
            Observation.outcome == Outcome.ERROR,
            Observation.run_id <= f,
            Observation.article_id.is_(None),
            Run.kind == "crawl",
        )
        .order_by(Observation.run_id, Observation.id)
    ):
        known = keys.get(url_key(url))
        if known is not None:  # oldest first: the latest failure wins
            failed[known] = {"reason": error or "failed", "failed_in_run": run_id}
    return failed


def _newly_unlisted(session: Session, f: int, t: int) -> set[int]:
    """The articles whose latest verdict by run ``t`` on whether the listing shows them
    (an answered fetch found via the listing or a sitemap, or checked as ``unlisted``)
    was ``unlisted``, but whose latest verdict by run ``f`` was not (or was none)."""
    verdicts = (Via.UNLISTED, *LISTED_VIAS)
    # Only an article given the verdict ``unlisted`` in a run after f can be one: without
    # such a verdict, its latest by t is its latest by f or a listed one, and either way
    # it was not newly unlisted. So the others' observations are not read: that had been
    # 0.3 s of `cfbu diff` at 100,000 articles.
    since_f = aliased(Observation)
    candidates = select(since_f.article_id).where(
        since_f.run_id > f,
        since_f.run_id <= t,
        since_f.via == Via.UNLISTED,
        since_f.outcome.in_(LIVE_OUTCOMES),
    )
    latest = (
        select(
            Observation.article_id.label("article_id"),
            func.max(case((Observation.run_id <= f, Observation.id))).label("at_f"),
            func.max(Observation.id).label("at_t"),
        )
        .where(
            Observation.run_id <= t,
            Observation.via.in_(verdicts),
            Observation.outcome.in_(LIVE_OUTCOMES),
            Observation.article_id.in_(candidates),
        )
        .group_by(Observation.article_id)
        .subquery()
    )
    at_f, at_t = aliased(Observation), aliased(Observation)
    return set(
        session.scalars(
            select(latest.c.article_id)
            .join(at_t, at_t.id == latest.c.at_t)
            .outerjoin(at_f, at_f.id == latest.c.at_f)
            .where(
                at_t.via == Via.UNLISTED,
                or_(at_f.id.is_(None), at_f.via != Via.UNLISTED),
            )
        )
    )


def _run_warnings(older: Run, newer: Run) -> list[dict[str, Any]]:
    """What makes the comparison of these two runs less than the site's whole story: a run
    that did not complete, pages of the newer run that failed."""
    warnings: list[dict[str, Any]] = []
    for run, role in ((older, "from"), (newer, "to")):
        if run.status == RunStatus.COMPLETE:
            continue
        why = f"{run.status}" + (f": {run.finish_reason}" if run.finish_reason else "")
        consequence = (
            "articles it did not reach show as added"
            if role == "from"
            else "articles it did not reach are neither changed nor removed here"
        )
        warnings.append(
            {
                "kind": DiffWarning.RUN_NOT_COMPLETE,
                "run": run.id,
                "status": run.status,
                "reason": run.finish_reason,
                "message": f"run {run.id} did not complete ({why}): it did not see the "
                f"whole site, so {consequence}",
            }
        )
    if newer.errors:
        pages = "1 page" if newer.errors == 1 else f"{newer.errors} pages"
        warnings.append(
            {
                "kind": DiffWarning.PAGE_ERRORS,
                "run": newer.id,
                "errors": newer.errors,
                "message": f"run {newer.id}: {pages} failed after retries; such an article is "
                "compared as it was before (see `cfbu runs`; the next crawl fetches it again)",
            }
        )
    return warnings


def _coverage_warning(before: Run, after: Run, drop: CoverageDrop) -> dict[str, Any]:
    return {
        "kind": DiffWarning.COVERAGE_DROP,
        "field": drop.field,
        "before": drop.before,
        "after": drop.after,
        "before_run": before.id,
        "after_run": after.id,
        "message": f"extraction coverage of {drop.field} dropped from {drop.before:.0%} "
        f"(run {before.id}) to {drop.after:.0%} (run {after.id}): the site's markup "
        f"has probably changed, so changes that only lost their {drop.field} are marked "
        "suspect, not reported as edits",
    }


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _suspect_fields(item: dict[str, Any], dropped: dict[str, CoverageDrop]) -> list[str]:
    """The changed fields of ``item`` whose value vanished (had one, now empty) while that
    field's coverage dropped."""
    changes = item["changes"]
    return [
        field
        for field in item["fields"]
        if field in dropped and _empty(changes[field]["to"]) and not _empty(changes[field]["from"])
    ]


def _suspects(
    session: Session, older: Run, newer: Run, changed: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Mark each change's ``suspect_fields`` — the changed fields whose value vanished
    (had one, now empty) while that field's coverage dropped: extraction lost on new
    markup, not the site edited — and return the coverage warnings that say so.

    The drop is looked for between the two runs, and also between the run that made an
    article's earlier version and the newer run: an article the crawl could not fetch
    during a redesign (a page that failed) loses its date only in a later diff, when the
    site's coverage had already dropped."""
    warnings = [
        _coverage_warning(older, newer, d) for d in coverage_drops(older.coverage, newer.coverage)
    ]
    warned = {(older.id, w["field"]) for w in warnings}
    drops_since: dict[int, dict[str, CoverageDrop]] = {
        older.id: {d.field: d for d in coverage_drops(older.coverage, newer.coverage)}
    }

    def drops_from(run_id: int) -> dict[str, CoverageDrop]:
        if run_id not in drops_since:
            base = session.get(Run, run_id)
            drops = coverage_drops(base.coverage, newer.coverage) if base is not None else []
            drops_since[run_id] = {d.field: d for d in drops}
        return drops_since[run_id]

    for item in changed:
        base_id = item.pop("base_run")
        since_base = drops_from(base_id)
        item["suspect_fields"] = _suspect_fields(item, drops_since[older.id] | since_base)
        for field in item["suspect_fields"]:
            if field not in drops_since[older.id] and (base_id, field) not in warned:
                base = session.get(Run, base_id)
                assert base is not None
                warnings.append(_coverage_warning(base, newer, since_base[field]))
                warned.add((base_id, field))
    return warnings


def _entry(article_id: int, urls: dict[int, str], titles: dict[int, str | None]) -> dict[str, Any]:
    """``{"url", "title"}`` of an article at the newer run (title None without a version)."""
    return {"url": urls[article_id], "title": titles.get(article_id)}


def _moved(first_move: dict[int, str], urls: dict[int, str]) -> list[dict[str, Any]]:
    """``{"id", "from", "to"}`` of the articles whose URL at TO is not the one their first
    move left (there and back again is no move)."""
    return [
        {"id": a, "from": old, "to": urls[a]}
        for a, old in first_move.items()
        if a in urls and urls[a] != old
    ]


def _appeared(
    session: Session,
    f: int,
    appeared: dict[int, bool],
    urls: dict[int, str],
    titles: dict[int, str | None],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``added`` and ``first_archived`` of the articles live at TO but not at FROM
    (``{id: existed at FROM}``): new, or back after a removal ("restored"), or first
    archived after failing before."""
    failed_before = _first_archived(
        session, f, {a for a, existed in appeared.items() if not existed}
    )
    added = [
        _entry(a, urls, titles) | ({"restored": True} if existed else {})
        for a, existed in appeared.items()
        if a not in failed_before
    ]
    first_archived = [_entry(a, urls, titles) | failed_before[a] for a in failed_before]
    return added, first_archived


def diff_runs(
    engine: Engine, from_run: int | None = None, to_run: int | None = None
) -> dict[str, Any]:
    """Compare two crawl runs.

    Returns ``{"from_run", "to_run", "added": [{"url", "title"}], "first_archived":
    [{"url", "title", "reason", "failed_in_run"}], "removed": [{"url", "title"}],
    "moved": [{"from", "to", "title"}], "changed": [{"url", "title", "fields", "changes",
    "suspect_fields"}], "unlisted": [{"url", "title"}], "unchanged": N, "warnings":
    [{"kind", "message", ...}]}``, lists sorted by URL (``moved`` by ``from``).

    - **added**: live at TO but not at FROM: first seen in (FROM, TO], or back after a
      removal (then with ``"restored": true``).
    - **first_archived**: first seen in (FROM, TO] but already tried, and failed on, by
      FROM or an earlier run: on the site all along, not new; ``reason`` is the error of
      the latest failure and ``failed_in_run`` its run. Not in ``added``.
    - **removed**: live at FROM and gone at TO (declared removed by a complete run in
      (FROM, TO] and not seen live again since). Failed or interrupted runs never remove.
      ``title`` is the title at FROM.
    - **moved**: existed at FROM and has an observation ``moved`` in (FROM, TO]: ``from``
      is the URL the crawler requested (the old article URL, taken from the first move in
      the range), ``to`` the article's URL at TO, ``title`` its title at TO. Moves and
      back again are left out.
    - **changed**: live at both runs and its site-caused content differs: the fields named
      by the ``changed_fields`` of versions with cause ``site`` made in (FROM, TO] whose
      value at TO differs from the value at FROM. Versions made by ``cfbu reparse``
      (cause ``extractor``) are not site changes and never make an article changed by
      themselves; ``changes`` maps each field to ``{"from": old, "to": new}``;
      ``suspect_fields`` names the changed fields whose value vanished while that field's
      coverage dropped between the runs (see ``warnings``): probably extraction lost on
      new markup, not an edit.
    - **unlisted**: live at both runs, not moved, and no longer shown by the listing or a
      sitemap by TO while still shown at FROM: the crawler checked it directly and it
      answered (it is kept live). Only runs that can tell record this (docs/schema.md,
      ``observations.via``). Such an article is also counted in ``changed`` or
      ``unchanged``.
    - **unchanged**: the number of articles live at both runs that are neither changed nor
      moved. A moved article whose content did not change is counted as moved only (not
      unchanged); one whose content also changed is listed in both moved and changed.
    - **warnings**: ``coverage_drop`` (``field``, ``before``, ``after``: shares 0-1, of
      the runs ``before_run`` and ``after_run``) for each field found on markedly fewer
      articles at TO than at FROM (or than in the run that made a suspect change's
      earlier version);
      ``run_not_complete`` (``run``, ``status``, ``reason``) when either run is failed or
      interrupted; ``page_errors`` (``run``, ``errors``) when pages of TO failed. Each
      has a ``message`` for people.

    The run arguments: both None → the last two complete crawl runs; only ``from_run`` →
    from it to the latest complete crawl run. Explicit runs may be any finished crawl runs
    (complete, failed or interrupted: then with a warning). Unknown runs, runs still
    running, reparse runs, FROM not older than TO, or fewer than two complete runs raise
    ArchiveError.
    """
    with session_factory(engine)() as session:
        older, newer = resolve_runs(session, from_run, to_run)
        f, t = older.id, newer.id
        live = compare_liveness(session, f, t)
        first_move = _first_moves(session, f, t)
        changed = _changes(session, f, t)
        newly_unlisted = _newly_unlisted(session, f, t)
        urls = _urls_at(
            session,
            t,
            {*live.appeared, *live.gone, *first_move, *newly_unlisted, *(c["id"] for c in changed)},
        )
        moved = _moved(first_move, urls)
        moved_ids = {m["id"] for m in moved}
        unlisted_ids = live_at_both(session, f, t, newly_unlisted - moved_ids)

        titles_to = _titles(session, t, {*live.appeared, *moved_ids, *unlisted_ids})
        added, first_archived = _appeared(session, f, live.appeared, urls, titles_to)
        titles_from = _titles(session, f, live.gone)
        removed = [{"url": urls[a], "title": titles_from.get(a)} for a in live.gone]
        for m in moved:
            m["title"] = titles_to.get(m.pop("id"))
        changed_ids = {c["id"] for c in changed}
        changed = [{"url": urls[c.pop("id")], **c} for c in changed]
        unchanged = live.both - len(changed_ids | live_at_both(session, f, t, moved_ids))
        unlisted = [_entry(a, urls, titles_to) for a in unlisted_ids]

        coverage = _suspects(session, older, newer, changed)

        return {
            "from_run": f,
            "to_run": t,
            "added": sorted(added, key=lambda x: x["url"]),
            "first_archived": sorted(first_archived, key=lambda x: x["url"]),
            "removed": sorted(removed, key=lambda x: x["url"]),
            "moved": sorted(moved, key=lambda x: (x["from"], x["to"])),
            "changed": sorted(changed, key=lambda x: x["url"]),
            "unlisted": sorted(unlisted, key=lambda x: x["url"]),
            "unchanged": unchanged,
            "warnings": coverage + _run_warnings(older, newer),
        }


__all__ = ["DiffWarning", "diff_runs", "resolve_runs"]
