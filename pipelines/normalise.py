"""Text normalisation of every record field on the item: NFC, collapsed whitespace, no
empties (docs/record.md, "Text").

``extract_article`` already returns normal text, so for the crawl's own pages this
changes nothing; it is the guarantee that the store receives normal text whatever ran
in between (a pipeline a project adds to ``ITEM_PIPELINES``, say). Idempotent.
"""

from __future__ import annotations

from itemadapter import ItemAdapter

from cfbu_crawler.extract.text import normalise_record
from cfbu_crawler.record import CONTENT_FIELDS

from .base import FieldPipeline


class NormalisePipeline(FieldPipeline):
    def fill(self, adapter: ItemAdapter) -> None:
        record = normalise_record({name: adapter.get(name) for name in CONTENT_FIELDS})
        for name in CONTENT_FIELDS:
            adapter[name] = record.get(name)
