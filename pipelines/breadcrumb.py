"""The breadcrumb trail, as a list of labels."""

from __future__ import annotations

from itemadapter import ItemAdapter

from .base import FieldPipeline


class BreadcrumbPipeline(FieldPipeline):
    def fill(self, adapter: ItemAdapter) -> None:
        adapter["breadcrumb"] = list(self.extraction(adapter).breadcrumb)
