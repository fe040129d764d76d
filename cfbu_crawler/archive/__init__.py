"""The archive: the only code that knows SQL.

``models`` holds the schema and ``vocabulary`` the words stored in it (outcomes, run
statuses), ``db`` opens and migrates a database, ``store`` writes a crawl into it (one
page at a time through ``identity``, ``versioning`` and ``bookkeeping``), ``state`` reads
what a new crawl needs, ``queries`` reads it for the commands, ``diff`` compares two runs.
"""
