"""Item pipelines of the cfbu crawl, one job each, in this order:

parse → content (title, category, body, lead, identity) → breadcrumb → date → Q&A →
normalise → validate → store. Each extraction step calls one pure function of
``cfbu_crawler.extract``; ``extract.extract_article`` runs the same steps for reparse.
"""
