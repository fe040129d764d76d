"""Golden cases: every tests/fixtures/<case>/page.html must extract to its expected.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cfbu_crawler.extract import extract_article
from cfbu_crawler.extract.urls import article_identity
from cfbu_crawler.record import CONTENT_FIELDS

FIXTURES = Path(__file__).parent / "fixtures"
SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "expected.json"
DEFAULT_URL = "https://cfbu.dk/nyheder/artikel/"
FIELDS = CONTENT_FIELDS


def _cases() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if (p / "page.html").is_file())


def _url(case: Path) -> str:
    url_file = case / "url.txt"
    return url_file.read_text(encoding="utf-8").strip() if url_file.is_file() else DEFAULT_URL


def _diff(field: str, got: object, want: object) -> str:
    if isinstance(got, str) and isinstance(want, str) and "\n\n" in got + want:
        g, w = got.split("\n\n"), want.split("\n\n")
        lines = [f"{field}: {len(g)} paragraphs, expected {len(w)}"]
        for i in range(max(len(g), len(w))):
            a = g[i] if i < len(g) else "<missing>"
            b = w[i] if i < len(w) else "<missing>"
            if a != b:
                lines.append(f"  [{i}] got:      {a[:160]!r}\n  [{i}] expected: {b[:160]!r}")
        return "\n".join(lines)
    dump = json.dumps
    return (
        f"{field}:\n  got:      {dump(got, ensure_ascii=False)[:1200]}\n  expected: "
        + dump(want, ensure_ascii=False)[:1200]
    )


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
def test_golden_case(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    got = extract_article((case / "page.html").read_bytes(), _url(case)).fields()
    fields = [*FIELDS, *(["canonical"] if "canonical" in expected else [])]
    problems = [
        _diff(f, got.get(f), expected.get(f)) for f in fields if got.get(f) != expected.get(f)
    ]
    if "url" in expected:
        # Identity (docs/record.md): the canonical link on the same site, else the normalised URL
        # (old ``/nyheder/page/N/nyhed/<slug>`` URLs lose their page segment).
        url = article_identity(_url(case), got.get("canonical"))
        if url != expected["url"]:
            problems.append(_diff("url", url, expected["url"]))
    assert not problems, f"{case.name}:\n" + "\n".join(problems)


def test_golden_cases_exist() -> None:
    names = {p.name for p in _cases()}
    assert {"seed_wordpress_yoast", "seed_old_plain"} <= names


@pytest.mark.parametrize("name", ["seed_wordpress_yoast", "seed_old_plain"])
def test_seed_fixture_expected_is_the_seed(name: str) -> None:
    if not SEED.is_file():
        pytest.skip("no ../shared/seed beside this clone (tests/fixtures/seed_* hold its copy)")
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    seed.pop("url", None)
    fixture = json.loads((FIXTURES / name / "expected.json").read_text(encoding="utf-8"))
    assert fixture == seed


def test_seed_old_plain_is_windows_1252_bytes() -> None:
    raw = (FIXTURES / "seed_old_plain" / "page.html").read_bytes()
    assert b"charset=windows-1252" in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
