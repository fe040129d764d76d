"""The breadcrumb trail, as a list of labels."""

from __future__ import annotations

from itemadapter import ItemAdapter

from cfbu_crawler import extract

from .base import FieldPipeline


class BreadcrumbPipeline(FieldPipeline):
    def fill(self, adapter: ItemAdapter) -> None:
        page = adapter["page"]
        adapter["breadcrumb"] = self.guarded(
            adapter, "breadcrumb", lambda: extract.extract_breadcrumb(page), []
        )
