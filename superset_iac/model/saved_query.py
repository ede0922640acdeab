"""A saved query of SQL Lab: a query analysts open and run from the list.

It is matched by its ``label`` (the name the SQL Lab list shows), runs on
``database`` (by name) in ``schema`` (and ``catalog`` where the database has
catalogs). Its SQL is validated as a dataset's is (``validate.sql``,
``validate.sandbox``): one read-only query, Jinja rendered with placeholders,
and no function or table that reads the warehouse process.

``SavedQuery.compared`` (through ``canonical_form``): an empty description,
schema or catalog counts as unset (the SQL Lab form saves cleared fields as
``""``), and the SQL without its surrounding whitespace.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from superset_iac.model.base import Link, Query, Ref, Spec


class SavedQuery(Spec):
    KIND = "saved_query"
    KEY_FIELDS = ("label",)
    REFERS_TO = frozenset({"database"})

    label: str = Field(min_length=1, description="the name SQL Lab lists it by")
    database: str
    catalog: str | None = None
    schema_: str | None = Field(default=None, alias="schema")
    description: str | None = None
    sql: str

    @field_validator("sql")
    @classmethod
    def _not_blank(cls, sql: str) -> str:
        if not sql.strip():
            raise ValueError("sql is empty; give the query")
        return sql

    @property
    def key(self) -> str:
        return self.label

    def refs(self) -> list[Ref]:
        return [Ref("database", self.database, ("database",))]

    def lineage(self) -> list[Link]:
        # the views and tables it reads come from its SQL (``lineage.graph``)
        return [Link(f"database/{self.database}", self.ref, "connects")]

    def queries(self) -> list[Query]:
        return [Query(("sql",), self.sql, self.database, self.schema_, self.catalog)]

    def canonical_form(self, data: dict[str, Any]) -> dict[str, Any]:
        for name in ("catalog", "schema", "description"):
            data[name] = data.get(name) or None
        data["sql"] = self.sql.strip()
        return data
