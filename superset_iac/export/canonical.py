"""One written form per object, whichever server or UI it was read from.

Equality (``Spec.compared``) ignores things that vary from one server to the
next without meaning anything: the order of keys in free-form JSON (chart
``params``, dashboard metadata, ``extra``), the plain columns a physical
dataset derives from its table. Export writes the form that equality sees,
so that the same objects exported from two servers give the same bytes, and
a file is not rewritten for noise. (A dashboard's layout needs no step here:
the handler reads it in its canonical form, as ``Dashboard.compared`` sees it.)

Every step is checked: the result must compare equal to the input, or the
input is written as it is.
"""

from __future__ import annotations

from typing import Any, Callable

from pydantic import BaseModel

from superset_iac.model import Dataset, Spec
from superset_iac.model.dataset import Column
from superset_iac.validate import sqltext


def canonical(spec: Spec) -> Spec:
    candidate = _KIND_STEPS.get(type(spec), lambda s: s)(spec)
    candidate = _ordered(candidate)
    return candidate if candidate.compared() == spec.compared() else spec


def _ordered(model: Any) -> Any:
    """Models keep their field order; free-form mappings get sorted keys, at any depth."""
    if isinstance(model, BaseModel):
        update = {name: _ordered(getattr(model, name)) for name in type(model).model_fields}
        return model.model_copy(update=update)
    if isinstance(model, list):
        return [_ordered(v) for v in model]
    if isinstance(model, dict):
        if any(isinstance(v, BaseModel) for v in model.values()):
            return {k: _ordered(v) for k, v in model.items()}  # named models: the file's order
        return _sorted(model)
    return model


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def _dataset(spec: Spec) -> Spec:
    """Only the columns equality sees; a physical column's type is the database's.

    A virtual dataset whose columns validation cannot name from its SQL
    (``SELECT *``, ``t.*``, an unaliased ``COUNT(*)``) keeps every column it
    has: they are what its charts are checked against, so the exported tree
    validates.
    """
    assert isinstance(spec, Dataset)
    keep_all = spec.sql is not None and _projection_unknown(spec.sql)
    columns = [_column(c) for c in spec.columns if keep_all or c.compared() is not None]
    return spec.model_copy(update={"columns": columns})


def _projection_unknown(sql: str) -> bool:
    query = sqltext.parse(sql, True).single
    names = sqltext.projection(query) if query is not None else None
    return names is None or sqltext.STAR in names


def _column(column: Column) -> Column:
    return column if column.is_calculated else column.model_copy(update={"type": None})


_KIND_STEPS: dict[type[Spec], Callable[[Spec], Spec]] = {Dataset: _dataset}
