"""The article's identity URL and canonical link, title, category, lead and body."""

from __future__ import annotations

from itemadapter import ItemAdapter

from .base import FieldPipeline


class ContentPipeline(FieldPipeline):
    def fill(self, adapter: ItemAdapter) -> None:
        result = self.extraction(adapter)
        adapter["url"] = result.url
        adapter["canonical"] = result.canonical
        adapter["title"] = result.title
        adapter["category"] = result.category
        adapter["lead"] = result.lead
        adapter["body"] = result.body
