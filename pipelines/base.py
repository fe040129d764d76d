"""Shared plumbing of the pipelines: act on article pages only, and read the one extraction
result the extract pipeline put on the item."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter

from cfbu_crawler.extract import Extraction
from cfbu_crawler.items import ArticlePage


class FieldPipeline:
    """Base for a pipeline that fills fields of an ``ArticlePage``; other items pass."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticlePage):
            return item
        self.fill(ItemAdapter(item))
        return item

    def fill(self, adapter: ItemAdapter) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def extraction(adapter: ItemAdapter) -> Extraction:
        """The result of ``extract_article`` for this page (set by ``ExtractPipeline``)."""
        result = adapter.get("extraction")
        if not isinstance(result, Extraction):
            raise TypeError(
                "no extraction on the item: ExtractPipeline must run before "
                f"{adapter.item.__class__.__name__} reaches this pipeline"
            )
        return result
