"""A dataset's columns and metrics between the server's rows and the spec.

``PUT /dataset/{id}`` replaces the whole column and metric lists, so a
payload lists every column and metric the dataset keeps, existing ones with
their ids; reading turns the rows into the spec's fields.
"""

from __future__ import annotations

from typing import Any, Iterable

from superset_iac.kinds.rest import json_object
from superset_iac.model.dataset import Column, Metric

COLUMN_FIELDS = ("type", "is_dttm", "expression", "verbose_name", "description", "groupby",
                 "filterable", "python_date_format")
METRIC_FIELDS = ("expression", "metric_type", "verbose_name", "description", "d3format",
                 "currency", "warning_text")


def columns_payload(declared: Iterable[Column], existing: list[dict[str, Any]], *,
                     exact: bool = False) -> list[dict[str, Any]]:
    """Every column the dataset keeps, with ids: declared ones as declared,
    undeclared physical ones reset to plain, undeclared calculated ones dropped.

    ``exact`` (a restore): only the declared columns, each with its type."""
    by_name = {c["column_name"]: c for c in existing}
    out = []
    for column in declared:
        row = by_name.get(column.name)
        item = {"column_name": column.name,
                **{f: getattr(column, f) for f in COLUMN_FIELDS if f != "type"}}
        # A physical column's type is the database's; a declared one only
        # seeds a column the server has not derived (yet).
        if column.is_calculated or (row is None and column.type is not None) or exact:
            item["type"] = column.type
        out.append(_with_id(item, row))
    if exact:
        return out
    names = {c.name for c in declared}
    for row in existing:
        if row["column_name"] not in names and not row.get("expression"):
            plain = {f: getattr(Column(name=row["column_name"]), f) for f in COLUMN_FIELDS if f != "type"}
            out.append({"id": row["id"], "column_name": row["column_name"], **plain})
    return out


def metrics_payload(declared: Iterable[Metric], existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Exactly the declared metrics; one whose name exists keeps its id
    (re-sending an existing name without its id is a 422)."""
    by_name = {m["metric_name"]: m for m in existing}
    return [_with_id({"metric_name": m.name, **{f: getattr(m, f) for f in METRIC_FIELDS}},
                     by_name.get(m.name))
            for m in declared]


def _with_id(item: dict[str, Any], row: dict[str, Any] | None) -> dict[str, Any]:
    return {"id": row["id"], **item} if row else item


def column_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {"name": row["column_name"], "type": row.get("type"),
            "is_dttm": bool(row.get("is_dttm")), "expression": row.get("expression") or None,
            "verbose_name": row.get("verbose_name"), "description": row.get("description"),
            "groupby": bool(row.get("groupby")), "filterable": bool(row.get("filterable")),
            "python_date_format": row.get("python_date_format")}


def metric_fields(row: dict[str, Any]) -> dict[str, Any]:
    currency = row.get("currency")
    if isinstance(currency, str):  # older servers answer a JSON string
        currency = json_object(currency) or None
    return {"name": row["metric_name"], "expression": row.get("expression") or "",
            **{f: row.get(f) for f in METRIC_FIELDS if f not in ("expression", "currency")},
            "currency": currency or None}
