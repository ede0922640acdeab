"""A dashboard's CSS: the copy of its CSS template, then its own.

Superset keeps one ``css`` per dashboard; choosing a template in the
dashboard editor copies the template's CSS there (``model/css_template.py``).
A dashboard that names ``css_template`` is written with

    <the template's CSS>\\n\\n<the dashboard's own css>

(either part may be empty), the template's CSS as the tree says it, or as
the server holds it when the tree does not define that template. A read
takes the template back out: the stored CSS starting with a known
template's CSS (the tree's version of it when the tree has one, so that a
template edited in the tree shows its dashboards as changed too) reads as
``css_template`` plus the rest as ``css``. A dashboard of the tree is
matched against the template it names only (another template that happens
to begin its CSS is no reason to see a change); one the tree does not have
(an export) against every template, the longest first, so that the export
names the template it was made from in the UI. An empty template never
matches. A dashboard whose CSS was edited by hand so that it no longer
starts with its template's reads without one: the plan shows both fields.
"""

from __future__ import annotations

from superset_iac.kinds.base import Context, UnresolvedReference
from superset_iac.model.css_template import CssTemplate, canonical_css
from superset_iac.model.dashboard import Dashboard

KIND = CssTemplate.KIND


def templates(ctx: Context) -> dict[str, str]:
    """Every template this run knows, by name: the tree's CSS over the server's."""
    known = {key: obj.spec.css for key, obj in ctx.live.get(KIND, {}).items()
             if isinstance(obj.spec, CssTemplate)}
    known.update({key: spec.css for key, spec in (ctx.desired or {}).get(KIND, {}).items()
                  if isinstance(spec, CssTemplate)})
    return {key: canonical_css(css) for key, css in known.items()}


def stored_css(ctx: Context, spec: Dashboard) -> str:
    """The ``css`` to write for ``spec``."""
    own = canonical_css(spec.css)
    if spec.css_template is None:
        return own
    template = templates(ctx).get(spec.css_template)
    if template is None:
        raise UnresolvedReference(f"css_template '{spec.css_template}' does not exist "
                                  "on the server")
    return "\n\n".join(part for part in (template, own) if part)


def split_css(ctx: Context, key: str, css: str | None) -> tuple[str | None, str | None]:
    """Stored CSS -> (``css_template``, own ``css``)."""
    text = canonical_css(css)
    known = templates(ctx)
    wanted = (ctx.desired or {}).get("dashboard", {}).get(key)
    if isinstance(wanted, Dashboard):  # compared with the tree: its template only
        order = [wanted.css_template] if wanted.css_template in known else []
    else:  # exported: whichever template it starts with, the longest first
        order = sorted(known, key=lambda name: (-len(known[name]), name))
    for name in order:
        template = known[name]
        if template and (text == template or text.startswith(template + "\n")):
            return name, text[len(template):].strip() or None
    return None, text or None
