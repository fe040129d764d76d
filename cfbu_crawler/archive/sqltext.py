"""Text compared byte by byte on every database, whatever the database's collation.

SQLite compares text by its bytes (``BINARY``): UTF-8 sorts by code point. A PostgreSQL
database sorts by its collation, chosen when it was made (``en_US.UTF-8`` ignores
hyphens and case at first; Danish puts ``aa`` after ``z``), so the same archive would
list its articles in another order there. Where the archive's output is ordered by text
(URLs), it orders by ``byte_order(column)``: the column itself on SQLite, the column
``COLLATE "C"`` (byte order) on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal


class byte_order(ColumnElement[str]):  # noqa: N801 - used like a SQL function
    """``column`` compared byte by byte (see the module's docstring)."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: ColumnElement[str] | QueryableAttribute[str]) -> None:
        if isinstance(column, QueryableAttribute):
            column = column.__clause_element__()
        self.column = column
        self.type = column.type


@compiles(byte_order)
def _as_it_is(element: byte_order, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(byte_order, "postgresql")
def _collate_c(element: byte_order, compiler: SQLCompiler, **kw: Any) -> str:
    return f'{compiler.process(element.column, **kw)} COLLATE "C"'


__all__ = ["byte_order"]
