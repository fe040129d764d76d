"""The repository carries its own account of the contract it implements (docs/ and the
README): code, tests and docs cite those, never a specification kept outside the
repository, which someone who clones it never sees; and every ``docs/*.md`` they cite
exists.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A citation of a specification outside the repository (``SPEC §3``, ``SPEC.md``).
OUTSIDE_SPEC = re.compile(r"\bSPEC\b")
DOCS_REF = re.compile(r"\bdocs/([\w.-]+\.md)\b")


def cited_files() -> list[Path]:
    """Every file of the repository's own writing that may cite the docs (the fixtures
    are pages of the site)."""
    found = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for folder in ("cfbu_crawler", "pipelines", "tests", "bench", "contrib"):
        for path in sorted((ROOT / folder).rglob("*")):
            if not path.is_file() or {"fixtures", "__pycache__"} & set(path.parts):
                continue
            # contrib/ holds cron, systemd and Scrapyd files; elsewhere code and notes.
            if folder == "contrib" or path.suffix in (".py", ".md"):
                found.append(path)
    return [path for path in found if path != Path(__file__).resolve()]


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def test_nothing_cites_a_specification_outside_the_repository() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in cited_files()
        for number, line in enumerate(read(path).splitlines(), 1)
        if OUTSIDE_SPEC.search(line)
    ]
    assert found == []


def test_every_cited_doc_exists() -> None:
    cited = {
        (path.relative_to(ROOT), name)
        for path in cited_files()
        for name in DOCS_REF.findall(read(path))
    }
    assert {name for _, name in cited} >= {"record.md", "schema.md", "scheduling.md"}
    missing = sorted(
        f"{path}: docs/{name}" for path, name in cited if not (ROOT / "docs" / name).is_file()
    )
    assert missing == []
