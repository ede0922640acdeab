"""The pure plan function: (desired, live) -> Plan. No I/O here.

Equality is ``Spec.compared()`` on both sides, the same method export and
apply use, so an object is "unchanged" for every command alike.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from superset_iac.model import KINDS
from superset_iac.model.base import Spec
from superset_iac.plan.model import Action, Change, FieldChange, LiveObject, Plan

Desired = Mapping[str, Mapping[str, Spec]]
Live = Mapping[str, Mapping[str, LiveObject]]

KIND_ORDER = [cls.KIND for cls in KINDS.values()]


def plan(desired: Desired, live: Live, *, prune: bool = False,
         targets: Iterable[str] = (), rotate: bool = False) -> Plan:
    """Compare every kind; creates and updates in dependency order, deletes last
    in reverse order, so dependants go before what they depend on.

    Without ``prune`` the managed objects the tree no longer has are listed
    in ``not_in_tree``, so a diff can say what ``--prune`` would delete.

    ``rotate`` (``--rotate-passwords``): every targeted object that exists and
    sets write-only secrets (a database URI's password) is updated with them,
    changed or not, since no comparison can tell.
    """
    wanted = set(targets)
    result = Plan()
    deletes: list[Change] = []
    for kind in KIND_ORDER:
        want = desired.get(kind, {})
        have = live.get(kind, {})
        for key, spec in want.items():
            if wanted and not _targeted(kind, key, wanted):
                continue
            change = compare(spec, have.get(key), rotate=rotate)
            if change is None:
                result.unchanged[kind] = result.unchanged.get(kind, 0) + 1
            else:
                result.changes.append(change)
        for key, obj in have.items():
            if key in want or (wanted and not _targeted(kind, key, wanted)):
                continue
            if not obj.managed:
                result.unmanaged[kind] = result.unmanaged.get(kind, 0) + 1
            elif prune:
                deletes.append(Change(Action.DELETE, kind, key, live=obj))
            else:
                result.not_in_tree.append(f"{kind}/{key}")
    result.changes.extend(sorted(deletes, key=lambda c: -KIND_ORDER.index(c.kind)))
    return result


def _targeted(kind: str, key: str, wanted: set[str]) -> bool:
    return f"{kind}/{key}" in wanted or kind in wanted


def compare(spec: Spec, live: LiveObject | None, *, rotate: bool = False) -> Change | None:
    """The change that turns ``live`` into ``spec``, or None when equal.

    With ``rotate`` an existing object's write-only secrets are one more
    field each, sensitive, and the change says so (a create sends them anyway).
    """
    if live is None:
        return Change(Action.CREATE, spec.KIND, spec.key,
                      fields=field_changes({}, spec.compared(), spec.SECRET), desired=spec)
    fields = field_changes(live.spec.compared(), spec.compared(), spec.SECRET)
    rotated = spec.write_only_secrets() if rotate else ()
    fields += [FieldChange(path, None, None, sensitive=True) for path in rotated]
    if not fields:
        return None
    return Change(Action.UPDATE, spec.KIND, spec.key, fields=fields, desired=spec, live=live,
                  rotate=bool(rotated))


def field_changes(before: dict[str, Any], after: dict[str, Any],
                  secret: Iterable[str] = ()) -> list[FieldChange]:
    secret = set(secret)
    out: list[FieldChange] = []
    for name in _ordered_keys(before, after):
        sensitive = name in secret
        _diff(name, before.get(name), after.get(name), sensitive, out)
    return out


def _ordered_keys(a: Mapping, b: Mapping) -> list:
    return list(b) + [k for k in a if k not in b]


def _diff(path: str, before: Any, after: Any, sensitive: bool, out: list[FieldChange]) -> None:
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in _ordered_keys(before, after):
            _diff(f"{path}.{key}", before.get(key), after.get(key), sensitive, out)
        return
    if _named_or_empty(before) and _named_or_empty(after):
        old = {item["name"]: item for item in before}
        new = {item["name"]: item for item in after}
        for name in _ordered_keys(old, new):
            _diff(f"{path}[{name}]", old.get(name), new.get(name), sensitive, out)
        if [i["name"] for i in before if i["name"] in new] != [i["name"] for i in after if i["name"] in old]:
            out.append(FieldChange(f"{path}(order)", [i["name"] for i in before],
                                   [i["name"] for i in after], sensitive))
        return
    out.append(FieldChange(path, before, after, sensitive))


def _named_or_empty(value: Any) -> bool:
    return value == [] or _named_list(value)


def _named_list(value: Any) -> bool:
    """Lists of uniquely named mappings diff by name (columns, metrics, filters)."""
    if not isinstance(value, list) or not value:
        return False
    if not all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in value):
        return False
    return len({i["name"] for i in value}) == len(value)
