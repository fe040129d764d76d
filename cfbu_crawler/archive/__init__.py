"""The archive: the only code that knows SQL.

``models`` holds the schema, ``db`` opens and migrates a database, ``store`` writes a
crawl into it, ``queries`` reads it for the commands, ``diff`` compares two runs.
"""
