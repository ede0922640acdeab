"""A live spec -> the mapping written to its file.

What is written is the spec without the values its model defaults to
(loading the file gives them back), with the URI password as ``${VAR}``.

When the tree already defines the object, the file is only rewritten if the
object changed, and then every field that still agrees with the server is
written as it was (a ``${VAR}`` in a URI, a per-environment override, a
description that is not compared): only what changed in the UI changes in
git.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from superset_iac.export.canonical import canonical
from superset_iac.kinds.base import Rewrite
from superset_iac.kinds.registry import HANDLERS
from superset_iac.model import Spec


@dataclass
class Content:
    """The mapping for one object's file, and the variables it needs set."""

    data: dict[str, Any]
    variables: list[str] = field(default_factory=list)


def fresh(spec: Spec) -> Content:
    """What to write for an object the tree does not define yet."""
    data = HANDLERS[spec.KIND].export_fresh(spec, _as_written(spec))
    return _finish(type(spec), data)


def merged(live: Spec, written: Spec, resolved: Spec, env: str | None) -> Content:
    """What to write for an object the tree defines (``written``) that changed.

    ``resolved`` is ``written`` resolved for the environment exported from:
    fields where it equals the live object keep their text from ``written``.
    """
    ours, before = _as_written(live), _as_written(written)
    keep = _agreeing(live, resolved) | _aliases(live, live.NOT_COMPARED)
    data: dict[str, Any] = {}
    for name in _field_order(type(live)):
        source = before if name in keep else ours
        if name in source:
            data[name] = source[name]
    data = HANDLERS[live.KIND].export_merged(live, data, Rewrite(written, before, keep, env))
    result = _finish(type(live), data)
    result.data = _in_written_order(result.data, _as_in_file(written))
    return result


def _as_in_file(spec: Spec) -> Any:
    """The mapping exactly as the file holds it (its key order), if known."""
    doc = spec._doc
    if doc is None:
        return _as_written(spec)
    node = doc.data
    for step in spec._path:
        node = node[step]
    return node


def _in_written_order(new: Any, old: Any) -> Any:
    """``new`` with its mappings' keys in the order the file already had them.

    A rewritten object then differs from its file only where its values do:
    a review shows the edit made in the UI, not a reshuffle. Keys the file
    did not have go before the key they precede in ``new``.
    """
    if isinstance(new, dict) and isinstance(old, dict):
        order = [k for k in old if k in new]
        keys = list(new)
        for i in reversed(range(len(keys))):
            if keys[i] not in old:
                after = [k for k in keys[i + 1:] if k in order]
                order.insert(order.index(after[0]) if after else len(order), keys[i])
        return {k: _in_written_order(new[k], old.get(k)) for k in order}
    if isinstance(new, list) and isinstance(old, list) and len(new) == len(old):
        return [_in_written_order(n, o) for n, o in zip(new, old)]
    return new


def _as_written(spec: Spec) -> dict[str, Any]:
    """The spec as a file holds it: defaults left out, keys as spelled in YAML.

    Validation of a file runs on this form (a model validator may reject a
    default written out explicitly), so everything here starts from it.
    """
    return spec.model_dump(exclude_defaults=True, by_alias=True, mode="json")


def _field_order(cls: type[Spec]) -> list[str]:
    return [f.alias or n for n, f in cls.model_fields.items()]


def _agreeing(live: Spec, resolved: Spec) -> set[str]:
    ours, theirs = live.compared(), resolved.compared()
    same = {name for name in ours if name in theirs and ours[name] == theirs[name]}
    for group in live.TOGETHER:  # fields equality sees as one: written from one side
        if not group <= same:
            same -= group
    return same


def _aliases(spec: Spec, names: frozenset[str]) -> set[str]:
    fields = type(spec).model_fields
    return {fields[n].alias or n for n in names if n in fields}


def _finish(cls: type[Spec], data: dict[str, Any]) -> Content:
    spec = cls.model_validate(data)  # the file must load as a valid spec
    spec = canonical(spec)
    out = spec.model_dump(exclude_defaults=True, by_alias=True, mode="json")
    return Content(out, variables_of(spec))


def variables_of(spec: Spec) -> list[str]:
    """The ``${VAR}`` names the file of ``spec`` needs set (``Handler.export_variables``)."""
    return HANDLERS[spec.KIND].export_variables(spec)
