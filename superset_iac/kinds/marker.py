"""The managed marker of kinds without a uuid: a last line of their description.

Row level security rules, annotation layers and CSS templates have no
settable ``uuid`` and no ``external_url``; their free text (``description``,
``descr``, the template's ``css``) is the one field the UI shows and keeps
through any edit. The tool appends a last line
``superset-iac://<kind>/<key>`` to it, and reading strips it again, so plans
and exports never see it. An object renamed by hand keeps a marker naming
another key, which makes it unmanaged and safe from ``--prune``.
"""

from __future__ import annotations

from superset_iac.model.base import managed_url


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
