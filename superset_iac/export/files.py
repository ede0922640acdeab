"""Replacing objects inside existing YAML files, leaving the rest as it was.

A file may hold one object, a list of objects, or several ``---``
documents. Only the document that holds an exported object is rewritten; the
text of every other document, and the comment lines above and below the
rewritten one, stay byte for byte. Comments *inside* a rewritten object are
lost (PyYAML does not keep them), which the export says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import yaml

from superset_iac.diagnostics import Diagnostics
from superset_iac.export.yamlout import LosslessnessError, dump, same_data
from superset_iac.load.yaml_source import parse_yaml

KeyOf = Callable[[Any], "str | None"]


@dataclass
class Span:
    """Where one document's root node is in the text, and its data."""

    start: int
    end: int
    data: Any


def spans(text: str) -> list[Span]:
    loader = yaml.SafeLoader(text)
    marks: list[tuple[int, int]] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            assert node is not None  # check_node said there is one
            marks.append((node.start_mark.index, node.end_mark.index))
    finally:
        loader.dispose()
    docs = parse_yaml(text, "<file>", Diagnostics())
    if len(docs) != len(marks):
        raise LosslessnessError("cannot locate the documents of a YAML file")
    return [Span(s, e, d.data) for (s, e), d in zip(marks, docs)]


def replace_objects(text: str, new: dict[str, dict[str, Any]], key_of: KeyOf) -> str:
    """``text`` with each object whose key is in ``new`` replaced by its new mapping."""
    out = text
    for span in reversed(spans(text)):  # from the end, so earlier offsets stay valid
        replacement = _replaced(span.data, new, key_of)
        if replacement is not None:
            out = _splice(out, span, replacement)
    _check(out, text, new, key_of)
    return out


def _replaced(data: Any, new: dict[str, dict[str, Any]], key_of: KeyOf) -> Any:
    if isinstance(data, dict):
        key = key_of(data)
        return new[key] if key in new else None
    if isinstance(data, list):
        keys = [key_of(item) if isinstance(item, dict) else None for item in data]
        if not any(k in new for k in keys):
            return None
        return [new[k] if k in new else item for k, item in zip(keys, data)]
    return None


def _splice(text: str, span: Span, data: Any) -> str:
    """Put ``data`` where the span was; keep comment lines that trail the object."""
    body = text[span.start:span.end]
    kept = _trailing_comments(body)
    end = span.end - len(kept)
    new = dump(data)
    if span.start > 0 and text[span.start - 1] != "\n":
        new = "\n" + new  # the old root began after '--- ' on the same line
    return text[:span.start] + new + text[end:]


def _trailing_comments(body: str) -> str:
    """The comment (and blank) lines at the end of a node's text, if any comment."""
    lines = body.splitlines(keepends=True)
    cut = len(lines)
    while cut and (lines[cut - 1].startswith("#") or not lines[cut - 1].strip()):
        cut -= 1
    tail = lines[cut:]
    return "".join(tail) if any(line.startswith("#") for line in tail) else ""


def _check(out: str, before: str, new: dict[str, dict[str, Any]], key_of: KeyOf) -> None:
    """The new text holds exactly the old documents with the objects replaced."""
    expected = [_replaced(s.data, new, key_of) for s in spans(before)]
    old = [s.data for s in spans(before)]
    got = [s.data for s in spans(out)]
    want = [e if e is not None else o for e, o in zip(expected, old)]
    if not same_data(got, want):
        raise LosslessnessError("rewriting a YAML file would change more than the exported objects")
