"""Facts about a whole tree that several checks need, computed once.

``index(tree)`` parses every piece of SQL at most once (keyed by its text:
the same ``COUNT(*)`` metric in fifty datasets is one parse), resolves which
tables each dataset and view reads, which of those are views of the tree, and
which columns each dataset and view provides. It is memoised on the tree.

Table names are compared as Trino does: case-insensitively, a missing catalog
or schema taken from the context (the dataset's database and schema, the
view's own catalog and schema). When the catalog is still unknown (a DuckDB
URI, say), a table matches by schema and name if exactly one view has them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlglot import exp

from superset_iac.load.tree import AssetTree
from superset_iac.model.database import Database
from superset_iac.model.dataset import Dataset
from superset_iac.model.view import View
from superset_iac.validate import sqltext
from superset_iac.validate.sqltext import STAR, Parsed, TableRef

T = TypeVar("T")
_MEMO = "validate.index"
# trino://user@host:8080/catalog[/schema]: the URI names the default catalog.
_CATALOG_URI = re.compile(r"^(?:trino|presto)(?:\+\w+)?://[^/]*/(?P<catalog>[^/?#]+)")


class TableMap(Generic[T]):
    """Three-part table names -> values, found from partly qualified names."""

    def __init__(self) -> None:
        self._full: dict[TableRef, list[T]] = {}
        self._short: dict[tuple[str, str], set[TableRef]] = {}

    def add(self, ref: TableRef, value: T) -> None:
        self._full.setdefault(ref, []).append(value)
        self._short.setdefault((ref.schema, ref.name), set()).add(ref)

    def refs(self) -> list[TableRef]:
        return list(self._full)

    def items(self) -> list[tuple[TableRef, list[T]]]:
        return list(self._full.items())

    def find(self, ref: TableRef) -> list[T]:
        if ref.catalog:
            return self._full.get(ref, [])
        candidates = self._short.get((ref.schema, ref.name), set())
        return self._full[next(iter(candidates))] if len(candidates) == 1 else []


def table_ref(name: str) -> TableRef:
    """``catalog.schema.name`` (or fewer parts) as a lowercase TableRef."""
    parts = [p.strip('"').lower() for p in name.split(".")]
    parts = [""] * (3 - len(parts)) + parts[-3:]
    return TableRef(*parts)


def qualified(ref: TableRef, catalog: str, schema: str) -> TableRef:
    return TableRef(ref.catalog or catalog.lower(), ref.schema or schema.lower(), ref.name)


@dataclass
class Columns:
    """What a dataset (or view) offers to charts, filters and expressions.

    ``base``: columns of its table or SQL projection (lowercase), what metric
    and calculated-column SQL can name; None when they cannot be known (a
    table outside the tree, SQL that does not parse). ``star``: the SQL
    selects ``*``, so ``base`` is the declared physical columns.
    """

    base: set[str] | None
    declared: dict[str, str]
    star: bool = False

    def known(self) -> set[str] | None:
        return None if self.base is None else self.base | set(self.declared)


class Index:
    """Per-tree caches: parsed SQL by text, views by table name, columns by object."""

    def __init__(self, tree: AssetTree) -> None:
        self.tree = tree
        self._parsed: dict[tuple[str, bool], Parsed] = {}
        self.views: dict[str, View] = {v.name: v for v in tree.each(View)}
        self.view_map: TableMap[View] = TableMap()
        for view in self.views.values():
            self.view_map.add(table_ref(view.name), view)
        self._dataset_columns: dict[str, Columns] = {}
        self._view_columns: dict[str, set[str] | None] = {}

    # -- parsing -------------------------------------------------------------

    def parsed(self, text: str, templated: bool = True) -> Parsed:
        """``text`` parsed (Jinja rendered unless ``templated`` is false), once per tree."""
        found = self._parsed.get((text, templated))
        if found is None:
            found = self._parsed[(text, templated)] = sqltext.parse(text, templated)
        return found

    def query(self, text: str | None, templated: bool = True) -> exp.Expression | None:
        """The single statement of ``text`` if it parsed, else None."""
        return self.parsed(text, templated).single if text is not None else None

    # -- tables ----------------------------------------------------------------

    @staticmethod
    def database_catalog(database: Database) -> str:
        """The catalog a Trino URI names ('' for other engines): tables are in it
        unless qualified. The base URI counts; per-environment ones stand in for it."""
        match = _CATALOG_URI.match(database.uri)
        return match.group("catalog").lower() if match else ""

    def catalog_of(self, dataset: Dataset) -> str:
        return self.catalog_for(dataset.database, dataset.catalog)

    def catalog_for(self, database_name: str, catalog: str | None) -> str:
        """The catalog of SQL on ``database_name``: its own, or the one its URI names."""
        if catalog:
            return catalog.lower()
        database = self.tree.get("database", database_name)
        return self.database_catalog(database) if isinstance(database, Database) else ""

    def dataset_reads(self, dataset: Dataset) -> list[TableRef]:
        catalog, schema = self.catalog_of(dataset), dataset.schema_ or ""
        if dataset.sql is None:
            return [qualified(TableRef("", "", dataset.name.lower()), catalog, schema)]
        return self.sql_reads(dataset.sql, catalog, schema)

    def sql_reads(self, sql: str, catalog: str, schema: str) -> list[TableRef]:
        """The tables a (templated) query reads, unqualified names in ``catalog.schema``."""
        query = self.query(sql)
        return [qualified(r, catalog, schema) for r in sqltext.tables_read(query)] if query else []

    def view_reads(self, view: View) -> list[TableRef]:
        own = table_ref(view.name)
        if view.sql is None:
            return [table_ref(view.source)] if view.source else []
        query = self.query(view.sql, templated=False)
        return [qualified(r, own.catalog, own.schema) for r in sqltext.tables_read(query)] \
            if query else []

    def views_read(self, refs: list[TableRef]) -> list[View]:
        out: list[View] = []
        for ref in refs:
            out += [v for v in self.view_map.find(ref) if v not in out]
        return out

    # -- columns ---------------------------------------------------------------

    def view_columns(self, view: View) -> set[str] | None:
        if view.name not in self._view_columns:
            self._view_columns[view.name] = self._compute_view_columns(view)
        return self._view_columns[view.name]

    def _compute_view_columns(self, view: View) -> set[str] | None:
        if view.sql is None:
            return {c.name.lower() for c in view.columns}
        query = self.query(view.sql, templated=False)
        names = sqltext.projection(query) if query else None
        return None if names is None or STAR in names else set(names)

    def dataset_columns(self, dataset: Dataset) -> Columns:
        found = self._dataset_columns.get(dataset.name)
        if found is None:
            found = self._dataset_columns[dataset.name] = self._compute_columns(dataset)
        return found

    def _compute_columns(self, dataset: Dataset) -> Columns:
        declared = {c.name.lower(): c.name for c in dataset.columns}
        physical = {c.name.lower() for c in dataset.columns if not c.is_calculated}
        if dataset.sql is None:
            views = self.views_read(self.dataset_reads(dataset))
            return Columns(self.view_columns(views[0]) if len(views) == 1 else None, declared)
        query = self.query(dataset.sql)
        names = sqltext.projection(query) if query else None
        if names is None:
            return Columns(None, declared)
        if STAR in names:
            return Columns(physical or None, declared, star=True)
        return Columns(set(names), declared)


def index(tree: AssetTree) -> Index:
    """The tree's index, built on first use."""
    found = tree.memo.get(_MEMO)
    if found is None:
        found = tree.memo[_MEMO] = Index(tree)
    return found


def link_views(tree: AssetTree) -> None:
    """Record on each dataset the tree views it reads, so ``refs()`` names them."""
    idx = index(tree)
    for dataset in tree.each(Dataset):
        dataset._views = tuple(v.key for v in idx.views_read(idx.dataset_reads(dataset)))
