"""The publication date, as a Europe/Copenhagen calendar date (YYYY-MM-DD)."""

from __future__ import annotations

from itemadapter import ItemAdapter

from cfbu_crawler import extract

from .base import FieldPipeline


class DatePipeline(FieldPipeline):
    def fill(self, adapter: ItemAdapter) -> None:
        page = adapter["page"]
        adapter["published"] = self.guarded(
            adapter, "published", lambda: extract.extract_published(page), None
        )
