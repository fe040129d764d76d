"""Making one database's tables hold another's rows, ids included: the engine of
``copy.py`` (``cfbu copy-archive``), for any two databases SQLAlchemy reaches.

Rows are read in key order, in chunks, from the source and compared with the target's
rows of the same key range; what the target lacks is inserted, what differs is updated.
When the target holds an earlier state (``compare``), rows it has and the source has not
go first, children before parents (``remove_stale``): a row a later run deleted in the
source, such as an article found to be another one moved, must be gone before the row
that took over its unique key (its URL) is written. Rows of surviving tables that point
at a removed row follow their foreign key's ``ON DELETE`` and are then written again
from the source, as they are there.

An update that moves a unique value from one row to another (an alias changing hands,
two articles exchanging URLs) would collide with itself mid-way: the changed rows' unique
values are first set to a placeholder that no real value can equal, then to the
source's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    Row,
    Table,
    UniqueConstraint,
    and_,
    bindparam,
    delete,
    insert,
    select,
    tuple_,
    update,
)

Progress = Callable[[str, int, int], None]  # (table, rows done, rows in all)
Key = tuple[Any, ...]


@dataclass
class Changes:
    """What syncing one table did to the target."""

    added: int = 0
    changed: int = 0
    removed: int = 0


def key_columns(table: Table) -> list[Column[Any]]:
    return list(table.primary_key.columns)


def key_of(table: Table, row: Row[Any]) -> Key:
    return tuple(row._mapping[column.name] for column in key_columns(table))


def stream(
    conn: Connection, table: Table, batch_rows: int, *, keys_only: bool = False
) -> Iterator[Row[Any]]:
    """The table's rows (or keys), in key order, fetched ``batch_rows`` at a time."""
    columns = key_columns(table) if keys_only else [table]
    ordered = select(*columns).order_by(*key_columns(table))
    # Per statement: Connection.execution_options() would change the connection for good.
    yield from conn.execute(ordered.execution_options(yield_per=batch_rows))


def stale_keys(src: Connection, dst: Connection, table: Table, batch_rows: int) -> list[Key]:
    """Keys of the target's rows the source does not have (both streams in key order,
    merged: memory for the answer only)."""
    theirs = (tuple(row) for row in stream(src, table, batch_rows, keys_only=True))
    stale = []
    source_key = next(theirs, None)
    for row in stream(dst, table, batch_rows, keys_only=True):
        key = tuple(row)
        while source_key is not None and source_key < key:
            source_key = next(theirs, None)
        if source_key != key:
            stale.append(key)
    return stale


def remove(dst: Connection, table: Table, keys: list[Key], batch_rows: int) -> None:
    key = tuple_(*key_columns(table))
    for start in range(0, len(keys), batch_rows):
        dst.execute(delete(table).where(key.in_(keys[start : start + batch_rows])))


def _chunks(rows: Iterator[Row[Any]], table: Table, size: int) -> Iterator[list[Row[Any]]]:
    """Rows in chunks of about ``size`` that never split the rows of one value of the
    first key column (so that a chunk covers a range of it)."""
    first = key_columns(table)[0].name
    chunk: list[Row[Any]] = []
    for row in rows:
        if len(chunk) >= size and row._mapping[first] != chunk[-1]._mapping[first]:
            yield chunk
            chunk = []
        chunk.append(row)
    if chunk:
        yield chunk


def _compared(
    src: Connection, dst: Connection, table: Table, batch_rows: int, compare: bool
) -> Iterator[tuple[int, list[dict[str, Any]], list[tuple[Row[Any], Row[Any]]]]]:
    """Chunk by chunk of the source: its size, the rows the target lacks, and (with
    ``compare``) the pairs (target's row, source's row) that differ."""
    first = key_columns(table)[0]
    low: Any = None
    for chunk in _chunks(stream(src, table, batch_rows), table, batch_rows):
        high = chunk[-1]._mapping[first.name]
        held: dict[Key, Row[Any]] = {}
        if compare:
            where = first <= high if low is None else and_(first > low, first <= high)
            held = {key_of(table, row): row for row in dst.execute(select(table).where(where))}
        added: list[dict[str, Any]] = []
        changed: list[tuple[Row[Any], Row[Any]]] = []
        for row in chunk:
            old = held.get(key_of(table, row))
            if old is None:
                added.append(dict(row._mapping))
            elif tuple(old) != tuple(row):
                changed.append((old, row))
        yield len(chunk), added, changed
        low = high


def sync_table(
    src: Connection,
    dst: Connection,
    table: Table,
    *,
    total: int,
    compare: bool,
    batch_rows: int,
    progress: Progress | None = None,
) -> Changes:
    """Make the target's table hold the source's rows: add what it lacks and, with
    ``compare`` (the target is not empty), change what differs. (Rows only the target
    has were removed before: ``remove_stale``.) With ``compare``, a first pass frees the
    unique values the changed rows give up (see the module's docstring)."""
    if compare and _unique_columns(table):
        for _, _, changed in _compared(src, dst, table, batch_rows, compare):
            _free_unique_values(dst, table, changed)
    changes = Changes()
    done = 0
    for size, added, changed in _compared(src, dst, table, batch_rows, compare):
        if changed:
            _update(dst, table, [new for _, new in changed])
        if added:
            dst.execute(insert(table), added)
        changes.added += len(added)
        changes.changed += len(changed)
        done += size
        if progress is not None:
            progress(table.name, done, total)
    if progress is not None and not done:
        progress(table.name, 0, 0)
    return changes


def remove_stale(
    src: Connection, dst: Connection, tables: tuple[Table, ...], batch_rows: int
) -> dict[str, int]:
    """Remove the target's rows the source does not have, children first (``tables``
    parents first). Returns how many per table."""
    stale = {table.name: stale_keys(src, dst, table, batch_rows) for table in tables}
    for table in reversed(tables):
        remove(dst, table, stale[table.name], batch_rows)
    return {name: len(keys) for name, keys in stale.items()}


def _unique_columns(table: Table) -> list[Column[Any]]:
    """Per unique constraint (besides the key), the column that a placeholder can free:
    one no foreign key points from (a placeholder there would point nowhere)."""
    found = []
    for constraint in table.constraints:
        if not isinstance(constraint, UniqueConstraint):
            continue
        columns = list(constraint.columns)
        free = [column for column in columns if not column.foreign_keys] or columns
        found.append(free[-1])
    found += [column for column in table.columns if column.unique and column not in found]
    return found


def _placeholder(column: Column[Any], key: Key) -> Any:
    """A value of ``column`` no real row holds, unique to the row with ``key``."""
    if isinstance(column.type, Integer):
        return -1 - int(key[0])
    # Unique values of the archive are URLs, their keys and SHA-256 digests: none holds
    # a space (and PostgreSQL's text holds no NUL).
    return "(cfbu copy-archive placeholder " + " ".join(map(str, key)) + ")"


def _where_key(table: Table) -> Any:
    return and_(*(column == bindparam(f"key_{column.name}") for column in key_columns(table)))


def _key_params(table: Table, key: Key) -> dict[str, Any]:
    return {f"key_{c.name}": value for c, value in zip(key_columns(table), key, strict=True)}


def _free_unique_values(
    dst: Connection, table: Table, rows: list[tuple[Row[Any], Row[Any]]]
) -> None:
    """Set the unique values that change in ``rows`` (pairs of (old, new)) to
    placeholders, so that no other row's new value collides with them."""
    for column in _unique_columns(table):
        moving = [
            key_of(table, new)
            for old, new in rows
            if old._mapping[column.name] != new._mapping[column.name]
        ]
        if moving:
            dst.execute(
                update(table)
                .where(_where_key(table))
                .values({column.name: bindparam("placeholder")}),
                [
                    {**_key_params(table, key), "placeholder": _placeholder(column, key)}
                    for key in moving
                ],
            )


def _update(dst: Connection, table: Table, rows: list[Row[Any]]) -> None:
    """Write the source's ``rows`` over the target's rows of the same keys."""
    keys = {column.name for column in key_columns(table)}
    values = [column.name for column in table.columns if column.name not in keys]
    dst.execute(
        update(table)
        .where(_where_key(table))
        .values({name: bindparam(f"new_{name}") for name in values}),
        [
            {
                **_key_params(table, key_of(table, row)),
                **{f"new_{v}": row._mapping[v] for v in values},
            }
            for row in rows
        ],
    )


__all__ = [
    "Changes",
    "Key",
    "Progress",
    "key_columns",
    "key_of",
    "remove",
    "remove_stale",
    "stale_keys",
    "stream",
    "sync_table",
]
