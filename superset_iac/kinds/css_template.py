"""CSS templates: ``/api/v1/css_template/``.

Reading. The list returns ``template_name`` and ``css``, all that is
compared: ``ceil(templates the tree names / 50)`` requests filtered by name
(with ``--prune`` or for an export, ``ceil(templates / 100)`` whole pages).

Identity. A template has a ``uuid`` column, but the API neither returns it
nor takes it on a POST, and there is no ``external_url``: the managed marker
is a last line of the CSS itself, the comment
``/* superset-iac://css_template/<name> */`` (``marker.py``), which
``to_spec`` strips again, and which a dashboard that copies the template
never gets (see ``dashboard_css.py``). Only a template whose marker names
its own name is managed and may be pruned. Superset does not keep names
unique: several templates of one name are told apart as
``"<name> [#<id>]"``, which no tree can define, so the tree's template
matches the one it created (its marker) or else the first by id.

Writing: a create is one POST, an update one PUT of name and CSS, a delete
one DELETE. Nothing spans two requests.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from superset_iac.kinds.base import Context, ExportFlag
from superset_iac.kinds.markers import MarkedHandler, CSS_COMMENT, split_marker, with_marker
from superset_iac.model.base import Spec
from superset_iac.model.css_template import CssTemplate
from superset_iac.plan.model import LiveObject

KIND = CssTemplate.KIND


def template_css(row: dict[str, Any]) -> tuple[str, str | None]:
    """(the template's CSS without the marker, the name the marker names).

    Without trailing blanks either way: the marker is written after the CSS
    with its trailing newline taken off, so a template read before and after
    an apply must read the same (and export the same block style)."""
    css, marked = split_marker(KIND, row.get("css"), CSS_COMMENT)
    return (css or "").rstrip(), marked


class CssTemplateHandler(MarkedHandler):
    spec_type = CssTemplate
    export_flag = ExportFlag("--css-templates", "Export CSS templates.")
    resource = "css_template"
    name_column = "template_name"
    columns = ("id", "template_name", "css")

    def keys(self, ctx: Context, rows: list[dict[str, Any]]) -> list[str]:
        """The name; for names several templates share, the one the tree made
        (its marker), else the first by id, keeps it, the others get ``[#id]``."""
        names = Counter(row.get("template_name") or "" for row in rows)
        owner: dict[str, int] = {}
        for row in sorted(rows, key=lambda r: (template_css(r)[1] != r.get("template_name"),
                                                r["id"])):
            owner.setdefault(row.get("template_name") or "", row["id"])
        return [name if names[name] == 1 or owner[name] == row["id"] else f"{name} [#{row['id']}]"
                for row in rows for name in [row.get("template_name") or ""]]

    def is_managed(self, row: dict[str, Any], key: str) -> bool:
        return template_css(row)[1] == key

    def to_spec(self, ctx: Context, row: dict[str, Any], key: str | None = None) -> CssTemplate:
        return CssTemplate.model_construct(name=row.get("template_name") or "",
                                           css=template_css(row)[0])

    def to_payload(self, ctx: Context, spec: Spec, live: LiveObject | None = None) -> dict[str, Any]:
        assert isinstance(spec, CssTemplate)
        return {"template_name": spec.name,
                "css": with_marker(KIND, spec.css, spec.name, CSS_COMMENT)}


HANDLER = CssTemplateHandler()
