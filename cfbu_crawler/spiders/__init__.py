"""The project's spiders (navigation only; extraction lives in cfbu_crawler.extract)."""
