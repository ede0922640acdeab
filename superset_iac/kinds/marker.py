"""The managed marker of kinds without a uuid: a last description line.

RLS rules and report schedules have no ``uuid`` column (nor an
``external_url``), so the tool appends ``superset-iac://<kind>/<key>`` as the
last line of the stored ``description``: the list endpoint returns it, and a
user sees in the UI that the object is managed. Specs never carry it (the
handlers strip it on reading), and an object renamed by hand keeps a marker
naming another key, which makes it unmanaged and safe from ``--prune``.
"""

from __future__ import annotations

from superset_iac.model.base import managed_url


def with_marker(description: str | None, kind: str, key: str) -> str:
    marker = managed_url(kind, key)
    return f"{description.rstrip()}\n\n{marker}" if description else marker


def split_marker(description: str | None, kind: str) -> tuple[str | None, str | None]:
    """(description without the marker line, the key the marker names)."""
    prefix = managed_url(kind, "")
    text = description or ""
    head, _, last = text.rstrip().rpartition("\n")
    if not last.startswith(prefix):
        return (text or None), None
    return (head.rstrip() or None), last[len(prefix):]
