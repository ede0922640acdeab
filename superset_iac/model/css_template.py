"""A CSS template: named CSS that dashboards start from.

Superset's dashboard editor offers the templates under "Edit CSS"; picking
one copies its CSS into the dashboard's own ``css`` field, once: a later
edit of the template changes no dashboard. A dashboard of the tree that
names a template (``css_template:``) gets that copy on every apply, the
template's CSS first, then the dashboard's own ``css`` after a blank line,
so editing a template in the tree changes its dashboards in the same apply.
See ``kinds/dashboard_css.py`` for how a read tells the two apart again.

Key: ``name`` (Superset's ``template_name``; the server does not keep it
unique, the tool does in the tree).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from superset_iac.model.base import Spec


def canonical_css(css: str | None) -> str:
    """CSS as compared: without trailing blanks (YAML block scalars add a newline)."""
    return (css or "").rstrip()


class CssTemplate(Spec):
    KIND = "css_template"

    name: str = Field(min_length=1, max_length=250, description="template_name")
    css: str = ""

    @property
    def key(self) -> str:
        return self.name

    def canonical_form(self, data: dict[str, Any]) -> dict[str, Any]:
        data["css"] = canonical_css(self.css)
        return data
