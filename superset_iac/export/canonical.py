"""One written form per object, whichever server or UI it was read from.

Equality (``Spec.compared``) ignores things that vary from one server to the
next without meaning anything: the order of keys in free-form JSON (chart
``params``, dashboard metadata, ``extra``), the plain columns a physical
dataset derives from its table. Export writes the form that equality sees,
so that the same objects exported from two servers give the same bytes, and
a file is not rewritten for noise. A kind's own step is its handler's
``export_form`` (a dataset keeps only the columns equality sees). (A
dashboard's layout needs no step: the handler reads it in its canonical form,
as ``Dashboard.compared`` sees it.)

Every step is checked: the result must compare equal to the input, or the
input is written as it is.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from superset_iac.kinds.registry import HANDLERS
from superset_iac.model import Spec


def canonical(spec: Spec) -> Spec:
    candidate = HANDLERS[spec.KIND].export_form(spec)
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
