"""Two processes opening a new archive at once: the migration is one transaction, so the
second sees no archive yet (and waits for the first's migration) or the whole of it,
never a half-made schema it would take for "not a cfbu archive".

The first process's migration is held half-way (after its first CREATE TABLE) while a
second process opens the archive; the second runs in a subprocess because SQLite's file
locks are per process (see archive.db._ENGINES).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import event, inspect

from cfbu_crawler.archive.db import ensure_schema, make_engine, resolve_db, schema_is_current

SECOND_PROCESS = """
import sys
from cfbu_crawler.archive.db import ArchiveError, check_existing, open_engine, resolve_db
from cfbu_crawler.archive.db import schema_is_current
try:
    check_existing(resolve_db(sys.argv[1]), must_exist=False)
    print("checked", flush=True)
    engine = open_engine(sys.argv[1], create=True)
except ArchiveError as exc:
    print(exc)
    sys.exit(1)
print("current" if schema_is_current(engine) else "outdated")
"""


def test_a_second_process_waits_for_the_first_ones_migration_of_a_new_archive(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "new.sqlite3")
    engine = make_engine(resolve_db(db))
    halfway, go_on = threading.Event(), threading.Event()

    @event.listens_for(engine, "after_cursor_execute")
    def hold(conn, cursor, statement, *args) -> None:
        if statement.lstrip().startswith("CREATE TABLE") and not halfway.is_set():
            halfway.set()
            go_on.wait(30)

    first = threading.Thread(target=ensure_schema, args=(engine,))
    first.start()
    try:
        assert halfway.wait(30)
        second = subprocess.Popen(
            [sys.executable, "-c", SECOND_PROCESS, db], stdout=subprocess.PIPE, text=True
        )
        assert second.stdout is not None
        assert second.stdout.readline().strip() == "checked"
        time.sleep(0.5)
        assert second.poll() is None  # waiting for the first process's migration
    finally:
        go_on.set()
        first.join(30)
    out, _ = second.communicate(timeout=60)
    assert (second.returncode, out.strip()) == (0, "current")
    assert schema_is_current(engine)
    assert {"runs", "articles", "observations"} <= set(inspect(engine).get_table_names())
    engine.dispose()
