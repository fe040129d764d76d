"""Item pipelines of the cfbu crawl, one job each, in this order:

extract → content (identity URL, canonical, title, category, lead, body) → breadcrumb →
date → Q&A → normalise → validate → store. The extract pipeline calls
``cfbu_crawler.extract.extract_article`` once and puts its typed result on the item; the
field pipelines copy their fields from it as plain values. ``cfbu reparse`` calls the
same function, so a crawl and a re-extraction of the same page agree, errors included.
"""
