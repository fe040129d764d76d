"""Text normalisation of every extracted field: NFC, collapsed whitespace, no empties."""

from __future__ import annotations

from itemadapter import ItemAdapter

from cfbu_crawler.extract.text import normalise_record

from .base import FieldPipeline

FIELDS = ("title", "breadcrumb", "category", "published", "lead", "body", "qa")


class NormalisePipeline(FieldPipeline):
    def fill(self, adapter: ItemAdapter) -> None:
        record = normalise_record({field: adapter.get(field) for field in FIELDS})
        for field in FIELDS:
            adapter[field] = record.get(field)
