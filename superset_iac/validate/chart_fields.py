"""The columns, metrics and SQL a chart's form data names, with their paths.

Superset's form data names dataset columns and metrics under keys that vary
by chart type. These are the keys of the 6.1 chart plugins' control panels
that hold columns or metrics; values come as a plain name (a column, or a
saved metric), an adhoc dict (``{"expressionType": "SQL", "sqlExpression":
...}`` or ``"SIMPLE"`` with a ``column``, or the short ``{column, aggregate}``
of ``model.chart_params``), or a list of those.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from superset_iac.model.chart import KEY_PARAM
from superset_iac.model.chart_params import COLUMN_KEYS, FILTER_KEYS, METRIC_KEYS
from superset_iac.validate import viztypes


@dataclass(frozen=True)
class Use:
    """One mention: ``kind`` is column, metric, sql_column, sql_metric or sql_filter;
    ``text`` a name, or SQL for the sql_* kinds."""

    path: tuple[str | int, ...]
    kind: str
    text: str


def uses(params: dict[str, Any]) -> list[Use]:
    out: list[Use] = []
    for key in COLUMN_KEYS:
        if key in params:
            out += _each(params[key], ("params", key), _column)
    for key in METRIC_KEYS:
        if key in params:
            out += _each(params[key], ("params", key), _metric)
    for key in FILTER_KEYS:
        if key in params:
            out += _each(params[key], ("params", key), _filter)
    if isinstance(params.get("order_by_cols"), list):
        out += list(_order_by(params["order_by_cols"]))
    return out


def _each(value: Any, path: tuple, one: Callable[[Any, tuple], Iterator[Use]]) -> list[Use]:
    """``one`` applied to ``value``, or to each item when it is a list."""
    if isinstance(value, list):
        return [use for i, item in enumerate(value) for use in one(item, path + (i,))]
    return list(one(value, path))


def _column(value: Any, path: tuple) -> Iterator[Use]:
    if isinstance(value, str) and value:
        yield Use(path, "column", value)
    elif isinstance(value, dict):
        if isinstance(value.get("sqlExpression"), str):
            yield Use(path + ("sqlExpression",), "sql_column", value["sqlExpression"])
        elif isinstance(value.get("column_name"), str):
            yield Use(path + ("column_name",), "column", value["column_name"])


def _metric(value: Any, path: tuple) -> Iterator[Use]:
    if isinstance(value, str) and value:
        yield Use(path, "metric", value)
    elif isinstance(value, dict):
        if value.get("expressionType") == "SQL" and isinstance(value.get("sqlExpression"), str):
            yield Use(path + ("sqlExpression",), "sql_metric", value["sqlExpression"])
        column = value.get("column")
        if isinstance(column, dict) and isinstance(column.get("column_name"), str):
            yield Use(path + ("column", "column_name"), "column", column["column_name"])
        elif isinstance(column, str):
            yield Use(path + ("column",), "column", column)


def _filter(value: Any, path: tuple) -> Iterator[Use]:
    if not isinstance(value, dict):
        return
    if value.get("expressionType") == "SQL" and isinstance(value.get("sqlExpression"), str):
        yield Use(path + ("sqlExpression",), "sql_filter", value["sqlExpression"])
    elif isinstance(value.get("subject"), str) and value.get("clause", "WHERE") != "HAVING":
        yield Use(path + ("subject",), "column", value["subject"])


def _order_by(items: list[Any]) -> Iterator[Use]:
    """Table charts store ``order_by_cols`` as JSON strings: ``'["symbol", true]'``."""
    for i, item in enumerate(items):
        try:
            pair = json.loads(item) if isinstance(item, str) else item
        except ValueError:
            continue
        if isinstance(pair, list) and pair and isinstance(pair[0], str):
            yield Use(("params", "order_by_cols", i), "column", pair[0])


def unknown_params(viz_type: str, params: dict[str, Any]) -> list[str]:
    """Keys of ``params`` no control of ``viz_type`` reads, for the checked types.

    The key superset-iac records its own identity under is its own.
    """
    if viz_type not in viztypes.PARAMS_CHECKED:
        return []
    return [k for k in params if k != KEY_PARAM and not _known(viz_type, k)]


def _known(viz_type: str, key: str) -> bool:
    if key in viztypes.PARAMS:
        return True
    second = viztypes.SECOND_QUERY.match(key) if viz_type == "mixed_timeseries" else None
    return second is not None and second.group("base") in viztypes.PARAMS
