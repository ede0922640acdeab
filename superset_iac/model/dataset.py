"""A Superset dataset, physical (a table or view) or virtual (``sql``).

``Dataset.compared`` defines when two datasets are the same:

* **Columns.** The server derives a dataset's physical columns from the
  table or the SQL; a file declares only the columns it says something about.
  A *plain* column (no expression, every attribute at its default:
  ``is_dttm: false``, no labels, groupable and filterable) is left out on
  both sides, so undeclared server columns make no difference, and a
  declared ``- name: symbol`` is documentation. Anything else is managed: a
  declared column with attributes, a calculated column, and a server column
  someone edited by hand (which apply turns back into a plain column). That
  includes ``is_dttm``, which Superset sets by itself on temporal columns: a
  time column the charts use must be declared ``is_dttm: true``, otherwise
  apply clears it. ``type`` is compared only for calculated columns; for
  physical ones it is whatever the database says.
* **Metrics** are exactly the declared ones (Superset's automatic ``count``
  on a new physical dataset is removed).
* Columns and metrics are compared by name, sorted: their order in a file or
  on the server is not a change.
* Owners are exactly the listed usernames, as a set. Superset makes the
  creator an owner; an empty list takes that back. (A non-Admin cannot
  remove itself as owner: a tree applied by one must list it.)
* Empty strings count as unset (the UI saves cleared text fields as ``""``),
  empty ``extra``/``template_params`` entries as absent, and the SQL without
  its surrounding whitespace.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, PrivateAttr

from superset_iac.model.base import Link, Model, Ref, Spec
from superset_iac.model.database import without_empty


class Column(Model):
    name: str
    type: str | None = None
    is_dttm: bool = False
    expression: str | None = None
    verbose_name: str | None = None
    description: str | None = None
    groupby: bool = True
    filterable: bool = True
    python_date_format: str | None = None

    @property
    def is_calculated(self) -> bool:
        return bool(self.expression)

    def compared(self) -> dict[str, Any] | None:
        """The column as compared, or None for a plain physical column."""
        data = _blank_to_none(self.model_dump(mode="json"))
        if not self.is_calculated:
            data.pop("type")
            if data == {**_PLAIN_COLUMN, "name": self.name}:
                return None
        return data


class Metric(Model):
    name: str
    expression: str
    metric_type: str | None = None
    verbose_name: str | None = None
    description: str | None = None
    d3format: str | None = None
    currency: dict[str, Any] | None = None
    warning_text: str | None = None

    def compared(self) -> dict[str, Any]:
        return _blank_to_none(self.model_dump(mode="json"))


class Dataset(Spec):
    KIND = "dataset"
    REFERS_TO = frozenset({"database", "view"})

    name: str = Field(description="table_name: the table, or the virtual dataset's name")
    database: str
    catalog: str | None = None
    schema_: str | None = Field(default=None, alias="schema")
    sql: str | None = None
    description: str | None = None
    main_dttm_col: str | None = None
    always_filter_main_dttm: bool = False
    normalize_columns: bool = False
    filter_select_enabled: bool = True
    cache_timeout: int | None = None
    owners: list[str] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)
    template_params: dict[str, Any] = Field(default_factory=dict)
    columns: list[Column] = Field(default_factory=list)
    metrics: list[Metric] = Field(default_factory=list)

    @property
    def key(self) -> str:
        return self.name

    @property
    def is_virtual(self) -> bool:
        return self.sql is not None

    # Views of the tree this dataset reads, found in its SQL by validation
    # (``validate.index.link_views``): apply must not touch a dataset whose
    # view failed.
    _views: tuple[str, ...] = PrivateAttr(default=())

    def lineage(self) -> list[Link]:
        # the views and tables it reads come from its SQL (``lineage.graph``)
        return [Link(f"database/{self.database}", self.ref, "connects")]

    def export_under(self) -> Ref | None:
        """``datasets/<database>/``: a tree's datasets sorted by what they read."""
        return Ref("database", self.database)

    def refs(self) -> list[Ref]:
        field = "sql" if self.sql is not None else "name"
        return ([Ref("database", self.database, ("database",))]
                + [Ref("view", view, (field,)) for view in self._views])

    def canonical_form(self, data: dict[str, Any]) -> dict[str, Any]:
        data = _blank_to_none(data)
        columns = (c.compared() for c in self.columns)
        data["columns"] = sorted((c for c in columns if c is not None), key=_name)
        data["metrics"] = sorted((m.compared() for m in self.metrics), key=_name)
        data["owners"] = sorted(self.owners)
        data["sql"] = self.sql.strip() if self.sql else None
        data["extra"] = without_empty(self.extra)
        data["template_params"] = without_empty(self.template_params)
        return data


# A physical column the server derived and nobody described (type aside).
_PLAIN_COLUMN = Column(name="").model_dump(mode="json", exclude={"type"})


def _name(item: dict[str, Any]) -> str:
    return item["name"]


def _blank_to_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if v == "" else v) for k, v in data.items()}
