"""What every table of the store is built on: the one ``metadata`` and the numbered-table shape.

Apart from ``schema.py`` so that ``schema_more.py`` (the tables added once ``schema.py`` reached its size) builds its
tables on the same metadata without importing ``schema`` (which imports it at its end): no import cycle.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, Table, Text
from sqlalchemy.schema import SchemaItem

metadata = MetaData()


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True, autoincrement=True)


def _programme() -> Column[str]:
    """The programme a row belongs to (``[programme] name``): every table of programme data."""
    return Column("programme", Text, nullable=False)


def _numbered_table(name: str, *items: SchemaItem) -> Table:
    """A table of one programme's rows numbered by ``id`` (never reused on SQLite): ``id``,
    ``programme``, then ``items``."""
    return Table(name, metadata, _id(), _programme(), *items, sqlite_autoincrement=True)
