"""Validation: flag (never drop) a record that lacks its title, date or body, and note
the extractors that crashed, which the store keeps as an error with the raw page, not as
a version (docs/record.md, "When extraction fails")."""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter

from cfbu_crawler.record import RECORD_FIELDS, missing_fields

from .base import FieldPipeline

logger = logging.getLogger(__name__)


class ValidatePipeline(FieldPipeline):
    def fill(self, adapter: ItemAdapter) -> None:
        # A crash inside an extractor is an error of cfbu, not a field the site dropped.
        adapter["extraction_errors"] = self.extraction(adapter).error_lines()
        missing = missing_fields({name: adapter.get(name) for name in RECORD_FIELDS})
        adapter["missing"] = missing
        if missing:
            logger.warning(
                "%s: partial record, missing %s", adapter["fetched_url"], ", ".join(missing)
            )
