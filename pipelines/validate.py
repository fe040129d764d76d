"""Validation: flag (never drop) a record that lacks its title, date or body, and
note extractor crashes (which the store keeps as errors, not as versions)."""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter

from cfbu_crawler.archive.content import missing_fields

from .base import FieldPipeline

logger = logging.getLogger(__name__)


class ValidatePipeline(FieldPipeline):
    def fill(self, adapter: ItemAdapter) -> None:
        # Extractors never raise; a crash inside one is left on the page. It is an error
        # of cfbu, not a field the site dropped: the store keeps such a page as an error.
        page = adapter.get("page")
        if page is not None and page.errors:
            errors = adapter.get("extraction_errors") or []
            errors += [f"{name}: {error}" for name, error in page.errors.items()]
            adapter["extraction_errors"] = errors
        missing = missing_fields(adapter.asdict())
        adapter["missing"] = missing
        if missing:
            logger.warning(
                "%s: partial record, missing %s", adapter["fetched_url"], ", ".join(missing)
            )
