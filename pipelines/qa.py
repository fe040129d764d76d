"""The interview structure: question/answer pairs found in the body paragraphs."""

from __future__ import annotations

from itemadapter import ItemAdapter

from cfbu_crawler import extract

from .base import FieldPipeline


class QAPipeline(FieldPipeline):
    def fill(self, adapter: ItemAdapter) -> None:
        blocks = adapter.get("blocks") or []
        adapter["qa"] = self.guarded(adapter, "qa", lambda: extract.extract_qa(blocks), [])
