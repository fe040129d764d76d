"""The storage pipeline never loses a page: extraction crashes and archive failures are
recorded as errors of the run, with the raw page kept."""

from __future__ import annotations

from itemadapter import ItemAdapter

from cfbu_crawler.items import ArticlePage
from cfbu_crawler.pipelines.store import StorePipeline


class RecordingWriter:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.pages: list = []
        self.outcomes: list = []

    def record_page(self, page) -> str:
        if self.fail:
            raise RuntimeError("database is locked")
        self.pages.append(page)
        return "new"

    def record_outcome(self, url, outcome, **kw) -> None:
        self.outcomes.append((url, outcome, kw))


def page_item(**extra) -> ItemAdapter:
    url = "http://127.0.0.1:1/nyheder/a/"
    return ItemAdapter(
        ArticlePage(
            requested_url=url, fetched_url=url, url=url, status=200, raw=b"<p>x</p>", **extra
        )
    )


def pipeline_with(writer: RecordingWriter) -> StorePipeline:
    pipeline = StorePipeline.__new__(StorePipeline)
    pipeline.writer = writer  # type: ignore[assignment]
    return pipeline


def test_a_page_whose_extraction_crashed_is_an_error_with_its_raw_page_not_a_version() -> None:
    writer = RecordingWriter()
    outcome = pipeline_with(writer).store_page(page_item(extraction_errors=["qa: ValueError: x"]))
    assert outcome == "error" and writer.pages == []
    url, kind, details = writer.outcomes[0]
    assert kind == "error" and "qa: ValueError" in details["error"]
    assert details["raw"] == b"<p>x</p>"


def test_a_page_the_archive_refused_is_recorded_as_an_error() -> None:
    writer = RecordingWriter(fail=True)
    assert pipeline_with(writer).store_page(page_item()) == "error"
    assert (
        writer.outcomes[0][1] == "error" and "database is locked" in writer.outcomes[0][2]["error"]
    )


def test_a_good_page_is_archived() -> None:
    writer = RecordingWriter()
    assert pipeline_with(writer).store_page(page_item(title="A")) == "new"
    assert writer.pages[0].record["title"] == "A" and writer.outcomes == []


def test_an_extractor_crash_left_on_the_page_is_flagged_by_validation(monkeypatch) -> None:
    from cfbu_crawler.extract import breadcrumb, extract_article
    from cfbu_crawler.pipelines.validate import ValidatePipeline

    # A crash inside an extractor, caught by the page (``Page.extracted``).
    monkeypatch.setattr(breadcrumb, "_extract", lambda page: 1 / 0)
    result = extract_article("<h1>Titel</h1><p>Tekst.</p>", "http://127.0.0.1:1/nyheder/a/")
    item = page_item(extraction=result, title="Titel", published="2015-11-30", body="Tekst.")
    ValidatePipeline().process_item(item.item)
    assert item["extraction_errors"] == ["breadcrumb: ZeroDivisionError: division by zero"]
