"""``cfbu serve``: the archive in Datasette, read-only.

- ``metadata``: titles, descriptions, units, search and canned queries, from the schema's
  one description (``archive.schemadoc``) and the archive's ready-made queries
  (``archive.canned``);
- ``plugin``: the Datasette plugin registered in process: links (an article's URL to the
  live page, a version to its stored page) and stored pages served as plain text;
- ``app``: the Datasette instance over the archive file, and the web server.
"""
