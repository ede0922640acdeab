"""The access map as text (one block per role) and as JSON, from the same objects."""

from __future__ import annotations

import json
from typing import Iterable

from superset_iac.access.model import SECTIONS, Path, RoleAccess

_TITLES = {"datasets": "datasets", "databases": "databases", "catalogs": "catalogs",
           "schemas": "schemas", "dashboards": "dashboards", "tables": "SQL Lab tables"}


def access_json(roles: Iterable[RoleAccess], source: str, where: str) -> str:
    """``source`` is ``tree`` or ``live``; ``where`` the asset directory or the URL."""
    return json.dumps({"source": source, "where": where, "roles": [r.to_dict() for r in roles]},
                      indent=2)


def render_access(roles: Iterable[RoleAccess], source: str, where: str) -> str:
    origin = "from the tree" if source == "tree" else "on the live Superset"
    lines = [f"Effective access {origin} ({where})."]
    for role in roles:
        lines += [""] + _role(role)
    return "\n".join(lines)


def _role(role: RoleAccess) -> list[str]:
    notes = [f"SQL Lab: {'yes' if role.sql_lab else 'no'}"]
    if not role.declared:
        notes.append("not declared: only what names it is known")
    lines = [f"role {role.role} ({'; '.join(notes)})"]
    shown = [name for name in SECTIONS if role.section(name)]
    if not shown:
        return lines + ["  reaches nothing"]
    for name in shown:
        reached = role.section(name)
        width = max(len(key) for key in reached)
        lines.append(f"  {_TITLES[name]}")
        for key, paths in sorted(reached.items()):
            only = name == "datasets" and not role.granted(key)
            for i, path in enumerate(paths):
                label = key if i == 0 else ""
                lines.append(f"    {label:<{width}}  {_path(path)}")
            if only:
                lines.append(f"    {'':<{width}}  ! only through a dashboard: the role's grants "
                             "leave it out (G006)")
    return lines


def _path(path: Path) -> str:
    active = "" if path.active else " [inactive]"
    where = f"  ({path.pos})" if path.pos is not None else ""
    return f"{path.detail}{active}{where}"
