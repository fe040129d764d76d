"""Title, category, body paragraphs, lead, canonical link and the article's identity URL."""

from __future__ import annotations

from itemadapter import ItemAdapter

from cfbu_crawler import extract
from cfbu_crawler.extract.urls import article_identity

from .base import FieldPipeline


class ContentPipeline(FieldPipeline):
    def __init__(self, crawler=None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def fill(self, adapter: ItemAdapter) -> None:
        page = adapter["page"]
        adapter["canonical"] = self.guarded(
            adapter, "canonical", lambda: extract.extract_canonical(page), None
        )
        section = getattr(getattr(self.crawler, "spider", None), "section", None)
        adapter["url"] = article_identity(adapter["fetched_url"], adapter["canonical"], section)
        adapter["title"] = self.guarded(adapter, "title", lambda: extract.extract_title(page), None)
        adapter["category"] = self.guarded(
            adapter, "category", lambda: extract.extract_category(page), None
        )
        blocks = self.guarded(adapter, "body", lambda: extract.extract_body_blocks(page), [])
        adapter["blocks"] = blocks
        adapter["body"], adapter["lead"] = extract.body_and_lead(blocks)
