"""Managed markers kept as the last line of an object's description.

Kinds whose objects take no uuid and have no ``external_url`` (RLS rules, groups,
tags) mark what superset-iac created with a last line
``superset-iac://<kind>/<key>`` in the stored description, shown in the UI's
editor. ``split`` takes it off again, so plans and exports never see it; an
object renamed by hand keeps a marker naming another key, which makes it
unmanaged and safe from ``--prune``.
"""

from __future__ import annotations

from superset_iac.model.base import managed_url


def with_marker(kind: str, description: str | None, key: str) -> str:
    marker = managed_url(kind, key)
    return f"{description.rstrip()}\n\n{marker}" if description else marker


def split_marker(kind: str, description: str | None) -> tuple[str | None, str | None]:
    """(description without the marker line, the key the marker names)."""
    prefix = managed_url(kind, "")
    text = description or ""
    head, _, last = text.rstrip().rpartition("\n")
    if not last.startswith(prefix):
        return (text or None), None
    return (head.rstrip() or None), last[len(prefix):]
