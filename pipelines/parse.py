"""Decode and parse the fetched page once, for the extraction pipelines that follow."""

from __future__ import annotations

from itemadapter import ItemAdapter

from cfbu_crawler.extract.page import parse_page

from .base import FieldPipeline


class ParsePipeline(FieldPipeline):
    def fill(self, adapter: ItemAdapter) -> None:
        adapter["page"] = parse_page(
            adapter["raw"], adapter["fetched_url"], encoding=adapter.get("encoding")
        )
