"""Shared plumbing for the extraction pipelines: act on article pages only, and never let
one field's failure lose the page."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from itemadapter import ItemAdapter

from cfbu_crawler.items import ArticlePage

logger = logging.getLogger(__name__)


class FieldPipeline:
    """Base for a pipeline that fills fields of an ``ArticlePage``; other items pass."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticlePage):
            return item
        adapter = ItemAdapter(item)
        self.fill(adapter)
        return item

    def fill(self, adapter: ItemAdapter) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def guarded(adapter: ItemAdapter, field: str, func: Callable[[], Any], default: Any) -> Any:
        """Run one extractor; on an unexpected exception keep the page and note the error."""
        try:
            return func()
        except Exception as exc:  # an extractor bug must not lose the page
            logger.exception("extracting %s from %s failed", field, adapter.get("fetched_url"))
            errors = adapter.get("extraction_errors") or []
            errors.append(f"{field}: {type(exc).__name__}: {exc}")
            adapter["extraction_errors"] = errors
            return default
