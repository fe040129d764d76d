"""Validation: flag (never drop) a record that lacks its title, date or body."""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter

from cfbu_crawler.archive.content import missing_fields
from pipelines.base import FieldPipeline

logger = logging.getLogger(__name__)


class ValidatePipeline(FieldPipeline):
    def fill(self, adapter: ItemAdapter) -> None:
        missing = missing_fields(adapter.asdict())
        adapter["missing"] = missing
        if missing:
            logger.warning(
                "%s: partial record, missing %s", adapter["fetched_url"], ", ".join(missing)
            )
