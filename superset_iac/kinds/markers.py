"""The managed marker of kinds without a uuid: a last line of their description.

Row level security rules, groups, tags, annotation layers and CSS templates
have no settable ``uuid`` and no ``external_url``; their free text (``description``,
``descr``, the template's ``css``) is the one field the UI shows and keeps
through any edit. The tool appends a last line
``superset-iac://<kind>/<key>`` to it, and reading strips it again, so plans
and exports never see it. An object renamed by hand keeps a marker naming
another key, which makes it unmanaged and safe from ``--prune``.
"""

from __future__ import annotations

from typing import Any

from superset_iac.kinds.base import Context
from superset_iac.kinds.rest import RestHandler
from superset_iac.model.base import Spec, managed_url


# A marker in CSS (a CSS template's only text) is a comment: ``/* … */``.
CSS_COMMENT = ("/* ", " */")


def with_marker(kind: str, text: str | None, key: str,
                comment: tuple[str, str] = ("", "")) -> str:
    """``text`` with the marker of ``kind/key`` as its last line (inside ``comment``)."""
    marker = f"{comment[0]}{managed_url(kind, key)}{comment[1]}"
    return f"{text.rstrip()}\n\n{marker}" if text else marker


def split_marker(kind: str, text: str | None,
                 comment: tuple[str, str] = ("", "")) -> tuple[str | None, str | None]:
    """(``text`` without the marker line, the key the marker names, if any)."""
    prefix = f"{comment[0]}{managed_url(kind, '')}"
    whole = text or ""
    head, _, last = whole.rstrip().rpartition("\n")
    if not (last.startswith(prefix) and last.endswith(comment[1])):
        return (whole or None), None
    return (head.rstrip() or None), last[len(prefix):len(last) - len(comment[1])]


class MarkedHandler(RestHandler):
    """A REST kind whose API takes no uuid: it is found again by its name and
    the marker in its text (``is_managed``), never by a managed uuid."""

    def create_payload(self, ctx: Context, spec: Spec) -> dict[str, Any]:
        """The object as it is: there is no uuid to send."""
        return self.to_payload(ctx, spec)

    def landed(self, ctx: Context, key: str) -> Any:
        """The object created here as ``key`` (its marker names it), or None."""
        assert self.name_column is not None
        rows = ctx.client.list(self.resource, filters=[(self.name_column, "eq", key)],
                               columns=list(self.columns))
        return next((row["id"] for row in rows if self.is_managed(row, key)), None)
