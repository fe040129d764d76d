"""The interview structure: question/answer pairs, as ``{"question", "answer"}`` dicts."""

from __future__ import annotations

from itemadapter import ItemAdapter

from .base import FieldPipeline


class QAPipeline(FieldPipeline):
    def fill(self, adapter: ItemAdapter) -> None:
        adapter["qa"] = [pair.as_dict() for pair in self.extraction(adapter).qa]
