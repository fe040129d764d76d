"""The publication date, as a Europe/Copenhagen calendar date (YYYY-MM-DD)."""

from __future__ import annotations

from itemadapter import ItemAdapter

from .base import FieldPipeline


class DatePipeline(FieldPipeline):
    def fill(self, adapter: ItemAdapter) -> None:
        adapter["published"] = self.extraction(adapter).published
