"""Body extraction on real pages written by others: cfbu next to trafilatura and readability.

Scores ``extract_article``'s ``body`` on the open-web article set (``../shared/open-web/
articles/``: gzipped real news pages and ``ground-truth.json`` with each page's
``articleBody``), and — in the same run, on the same pages — trafilatura (precision mode
and default) and readability-lxml (its text read by html-text, as the benchmark does) when
they are installed (``pip install ".[bench]"``).

The metric is the benchmark's own (its ``evaluate.py``): tokens are the ``\\w+`` matches of
a text, each text is the multiset of its 4-token shingles (a text shorter than four tokens
is one shorter shingle); per page precision = shared / output shingles and recall =
shared / truth shingles, counted with multiplicity; both are averaged over pages (a page
with empty output is left out of the precision average) and F1 is the harmonic mean of
the two averages.

    python bench/open_web.py                 # every page, every installed extractor
    python bench/open_web.py --limit 5       # a quick look
    python bench/open_web.py --worst 10      # also list cfbu's ten worst pages

Speed is pages per second over the whole set: the best of ``--repeat`` passes, in which the
extractors take turns page by page, so that a noisy neighbour on a shared machine slows
them all alike.
Every extractor is handed the same text, decoded as UTF-8 as the benchmark's own scripts do
(trafilatura with ``include_comments=False``, as there), and does its own parsing.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "open-web" / "articles"
_TOKEN = re.compile(r"\w+")
_SHINGLE = 4


@dataclass
class Sample:
    key: str
    url: str
    html: str
    truth: str


@dataclass
class Score:
    name: str
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    below_02: int = 0
    empty: int = 0
    pages_per_s: float = 0.0
    per_page: dict[str, tuple[float, float, float]] = field(default_factory=dict)


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """The multiset of ``text``'s 4-token shingles (one shorter shingle for a short text)."""
    tokens = _TOKEN.findall(text or "")
    if len(tokens) < _SHINGLE:
        return Counter([tuple(tokens)] if tokens else [])
    return Counter(tuple(tokens[i : i + _SHINGLE]) for i in range(len(tokens) - _SHINGLE + 1))


def page_scores(output: str, truth: str) -> tuple[float | None, float, float]:
    """(precision or None for an empty output, recall, page F1)."""
    got, want = shingles(output), shingles(truth)
    shared = sum((got & want).values())
    n_got, n_want = sum(got.values()), sum(want.values())
    if got == want and got:
        return 1.0, 1.0, 1.0
    precision = shared / n_got if n_got else None
    recall = shared / n_want if n_want else 1.0
    p = precision or 0.0
    f1 = 2 * p * recall / (p + recall) if p + recall else 0.0
    return precision, recall, f1


def score(name: str, outputs: dict[str, str], samples: list[Sample]) -> Score:
    result = Score(name)
    precisions: list[float] = []
    recalls: list[float] = []
    for sample in samples:
        precision, recall, f1 = page_scores(outputs.get(sample.key, ""), sample.truth)
        if precision is None:
            result.empty += 1
        else:
            precisions.append(precision)
        recalls.append(recall)
        result.below_02 += f1 < 0.2
        result.per_page[sample.key] = (precision or 0.0, recall, f1)
    result.precision = sum(precisions) / len(precisions) if precisions else 0.0
    result.recall = sum(recalls) / len(recalls) if recalls else 0.0
    total = result.precision + result.recall
    result.f1 = 2 * result.precision * result.recall / total if total else 0.0
    return result


def load(data: Path, limit: int | None = None) -> list[Sample]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    samples = []
    for key in sorted(truth):
        path = data / "html" / f"{key}.html.gz"
        if not path.is_file():
            continue
        entry = truth[key]
        html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        samples.append(Sample(key, entry["url"], html, entry["articleBody"]))
        if limit and len(samples) >= limit:
            break
    return samples


Extractor = Callable[[str, str], str]


def cfbu_extractor() -> Extractor:
    from cfbu_crawler.extract import extract_article

    return lambda html, url: extract_article(html, url).body or ""


def trafilatura_extractor(**options: bool) -> Extractor | None:
    try:
        import trafilatura
    except ImportError:
        return None
    return lambda html, url: (
        trafilatura.extract(html, url=url, include_comments=False, **options) or ""
    )


def readability_extractor() -> Extractor | None:
    try:
        import html_text
        from readability import Document
    except ImportError:
        return None
    # As the benchmark's own script: readability's summary, its text read by html-text.
    return lambda html, url: html_text.extract_text(Document(html).summary(html_partial=True))


def extractors(names: list[str] | None) -> dict[str, Extractor]:
    found: dict[str, Extractor | None] = {
        "cfbu": cfbu_extractor(),
        "trafilatura (precision)": trafilatura_extractor(favor_precision=True),
        "trafilatura": trafilatura_extractor(),
        "readability-lxml": readability_extractor(),
    }
    missing = [name for name, fn in found.items() if fn is None]
    if missing:
        print(f"not installed (pip install '.[bench]'): {', '.join(missing)}", file=sys.stderr)
    chosen = {name: fn for name, fn in found.items() if fn is not None}
    if names:
        chosen = {name: fn for name, fn in chosen.items() if name.split()[0] in names}
    return chosen


def run(samples: list[Sample], chosen: dict[str, Extractor], repeat: int = 1) -> list[Score]:
    """Every extractor on every page. Page by page, the extractors take turns (a noisy
    neighbour on a shared machine then slows them all alike); of ``repeat`` passes, each
    extractor's fastest is kept."""
    outputs: dict[str, dict[str, str]] = {name: {} for name in chosen}
    best: dict[str, float] = {}
    for _ in range(max(1, repeat)):
        spent = dict.fromkeys(chosen, 0.0)
        for sample in samples:
            for name, fn in chosen.items():
                started = time.perf_counter()
                try:
                    text = fn(sample.html, sample.url)
                except Exception as exc:  # an extractor's crash is an empty output
                    print(f"{name} failed on {sample.key[:12]}: {exc!r}", file=sys.stderr)
                    text = ""
                spent[name] += time.perf_counter() - started
                outputs[name][sample.key] = text
        for name, elapsed in spent.items():
            best[name] = min(elapsed, best.get(name, elapsed))
    scores = []
    for name in chosen:
        result = score(name, outputs[name], samples)
        result.pages_per_s = len(samples) / best[name] if best[name] else 0.0
        scores.append(result)
    return scores


def report(scores: list[Score], samples: list[Sample], worst: int = 0) -> str:
    lines = [
        f"{len(samples)} pages",
        f"{'extractor':<24} {'F1':>6} {'prec.':>6} {'recall':>6} {'<0.2':>5} {'empty':>5} {'pages/s':>8}",
    ]
    for s in scores:
        lines.append(
            f"{s.name:<24} {s.f1:6.3f} {s.precision:6.3f} {s.recall:6.3f} {s.below_02:5d} "
            f"{s.empty:5d} {s.pages_per_s:8.1f}"
        )
    if scores and len(scores) > 1:
        base = scores[0]
        ratios = ", ".join(
            f"{s.name} {base.pages_per_s / s.pages_per_s:.2f}x" for s in scores[1:] if s.pages_per_s
        )
        lines.append(f"{base.name} speed relative to: {ratios}")
    if worst and scores:
        urls = {s.key: s.url for s in samples}
        lines.append(f"\n{scores[0].name}: worst {worst} pages (precision recall F1)")
        ranked = sorted(scores[0].per_page.items(), key=lambda kv: kv[1][2])[:worst]
        for key, (p, r, f) in ranked:
            lines.append(f"  {p:5.2f} {r:5.2f} {f:5.2f}  {key[:12]}  {urls[key]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the articles folder")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes (best is kept)")
    parser.add_argument("--only", nargs="*", help="extractors: cfbu trafilatura readability-lxml")
    parser.add_argument("--worst", type=int, default=0, help="list cfbu's N worst pages")
    parser.add_argument("--json", action="store_true", help="print figures as JSON")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").is_file():
        print(f"skipped: no open-web article set at {args.data}")
        return 0
    samples = load(args.data, args.limit)
    scores = run(samples, extractors(args.only), args.repeat)
    if args.json:
        figures = [
            {k: v for k, v in vars(s).items() if k != "per_page"} | {"pages": len(samples)}
            for s in scores
        ]
        print(json.dumps(figures, indent=2))
    else:
        print(report(scores, samples, args.worst))
    return 0


if __name__ == "__main__":
    sys.exit(main())
