"""Plain data -> YAML that people review: stable, readable, and exact.

* Key order is kept as given (the spec's field order, then the server's order
  inside free-form mappings such as chart ``params``): no sorting, so a field
  keeps its line from one export to the next.
* Multi-line strings (SQL, markdown, CSS) become ``|`` block scalars.
* Short lists of scalars stay on one line (``groupby: [symbol]``), as people
  write them; everything else is block style, indented under its key.
* No line wrapping: a changed value shows as one changed line in a review.

Every dump is loaded back with the same loader the tree uses and compared
with its input, so a file export writes always reads as exactly what was
meant; a mismatch is a bug and raises instead of writing something lossy.
"""

from __future__ import annotations

from typing import Any

import yaml

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.yaml_source import parse_yaml

FLOW_LIST_MAX = 60  # characters of a one-line list of scalars, brackets excluded

_SCALARS = (str, int, float, bool, type(None))


class LosslessnessError(AssertionError):
    """The YAML written would not load back as the data it was written from."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper with lists indented under their key, as the asset files are."""

    def analyze_scalar(self, scalar: str) -> Any:
        # PyYAML refuses a block scalar for text with trailing spaces on a
        # line, which markdown is full of, and falls back to one long quoted
        # line. YAML's literal style keeps such spaces, so allow it; the
        # read-back check in ``dump`` catches any case where it would not.
        analysis = super().analyze_scalar(scalar)
        if analysis.multiline and not analysis.allow_block and _printable(scalar):
            analysis.allow_block = True
        return analysis

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True  # equal sub-objects are written out, never as &anchor/*alias


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML falls back to a quoted style by itself when a block scalar could
    # not hold the value exactly (trailing spaces, control characters).
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=_flow(value))


def _flow(value: list) -> bool:
    if not value or not all(isinstance(v, _SCALARS) for v in value):
        return False
    if any(isinstance(v, str) and ("\n" in v or v != v.strip()) for v in value):
        return False
    return sum(len(str(v)) + 2 for v in value) <= FLOW_LIST_MAX


def _printable(text: str) -> bool:
    return all(ch == "\n" or (ch.isprintable() and ch not in "\ufeff\x85\u2028\u2029")
               for ch in text)


class _PlainDumper(_Dumper):
    """PyYAML's own choice of scalar styles, for text the relaxed rule cannot hold."""

    def analyze_scalar(self, scalar: str) -> Any:
        return yaml.SafeDumper.analyze_scalar(self, scalar)


for _cls in (_Dumper, _PlainDumper):
    _cls.add_representer(str, _represent_str)
    _cls.add_representer(list, _represent_list)


def dump(data: Any) -> str:
    """YAML text for ``data`` (JSON-like values only), verified to load back equal."""
    try:
        return _dump(data, _Dumper)
    except LosslessnessError:
        return _dump(data, _PlainDumper)


def _dump(data: Any, dumper: type[yaml.SafeDumper]) -> str:
    text = yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1 << 30, indent=2)
    if text.endswith("...\n"):  # a bare top-level scalar; never a spec, but keep it exact
        text = text[: -len("...\n")]
    check_roundtrip(text, data)
    return text


def check_roundtrip(text: str, data: Any) -> None:
    diags = Diagnostics()
    docs = parse_yaml(text, "<export>", diags)
    loaded = docs[0].data if docs else None
    if len(diags) or not same_data(loaded, data):
        raise LosslessnessError(f"YAML would not read back as written: {text[:200]!r}")


def same_data(a: Any, b: Any) -> bool:
    """Equality that also tells 1 from 1.0 and True from 1, as strict specs do."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_data(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b))
    return a == b or (a != a and b != b)  # NaN equals itself here
