"""Turn pydantic's validation errors into positioned diagnostics.

pydantic reports a ``loc`` such as ``("columns", 0, "list[Column]", "name")``;
union and wrapper segments in it are not in the data, so we walk the data and
keep only the segments that exist, which gives the YAML path of the problem.
"""

from __future__ import annotations

import difflib
from typing import Any, Iterable, get_args

from pydantic import BaseModel, ValidationError

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.yaml_source import Document, Path
from superset_iac.model.base import Spec

_TYPE_NAMES = {"str": "a string", "int": "an integer", "bool": "true or false",
               "float": "a number", "dict": "a mapping", "list": "a list"}


def data_path(data: Any, loc: tuple) -> tuple[Path, bool]:
    """The longest prefix of ``loc`` present in ``data``; and whether all of it is."""
    path: list[str | int] = []
    node = data
    for seg in loc:
        if isinstance(node, dict) and seg in node:
            node = node[seg]
            path.append(seg)
        elif isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node):
            node = node[seg]
            path.append(seg)
        elif isinstance(seg, str) and not isinstance(node, (dict, list)):
            continue  # a union tag such as "str" or "list[Column]"
        elif isinstance(node, dict) and isinstance(seg, str) and seg[:1].isupper():
            continue  # a model name in a union path
        else:
            return tuple(path) + (seg,), False
    return tuple(path), True


def _model_at(model: type[BaseModel], path: Path) -> type[BaseModel] | None:
    """The model class that owns the mapping at ``path`` (for did-you-mean)."""
    current: Any = model
    for seg in path:
        if isinstance(seg, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        fields = {f.alias or n: f for n, f in current.model_fields.items()}
        if seg not in fields:
            return None
        current = _unwrap(fields[seg].annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """The model inside ``X | None``, ``list[X]`` or ``dict[str, X]``, if any."""
    for arg in get_args(annotation) or ():
        inner = _unwrap(arg)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner
    return annotation


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest candidate, or ``""``."""
    pool = list(candidates)
    hint = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not hint:  # case-only differences: "Symbol" for "symbol"
        hint = [c for c in pool if c.lower() == word.lower()][:1]
    return f"; did you mean '{hint[0]}'?" if hint else ""


def _field_names(model: type[BaseModel]) -> list[str]:
    return [f.alias or n for n, f in model.model_fields.items()]


def report(err: ValidationError, spec_cls: type[Spec], doc: Document, prefix: Path,
           data: Any, diags: Diagnostics) -> None:
    """Add one diagnostic per pydantic error, at the position it refers to."""
    for e in err.errors(include_url=False):
        path, complete = data_path(data, tuple(e["loc"]))
        pos = doc.pos(prefix + path)
        kind = e["type"]
        where = ".".join(str(p) for p in path) or spec_cls.KIND
        if kind == "extra_forbidden":
            parent = _model_at(spec_cls, path[:-1])
            names = _field_names(parent) if parent else []
            diags.add(pos, "S001", f"unknown key '{path[-1]}' in {spec_cls.KIND}"
                      f"{did_you_mean(str(path[-1]), names)}")
        elif kind == "missing":
            owner = ".".join(str(p) for p in path[:-1]) or spec_cls.KIND
            diags.add(pos, "S003", f"{owner}: missing required key '{path[-1]}'"
                      if not complete else f"{where}: missing required value")
        elif kind in ("literal_error", "enum"):
            message = str(e["msg"])
            diags.add(pos, "S004", f"{where}: {message[:1].lower()}{message[1:]}, "
                      f"got {e['input']!r}")
        elif kind.endswith("_type") or kind.endswith("_parsing"):
            expected = _TYPE_NAMES.get(kind.split("_")[0], kind.split("_")[0])
            got = type(e["input"]).__name__
            diags.add(pos, "S002",
                      f"{where}: expected {expected}, got {_describe(e['input'], got)}")
        elif kind == "value_error":
            # A rule a model states itself (one of row/header/..., sql or
            # source+columns, ...): the message is already the explanation.
            message = str(e["msg"]).removeprefix("Value error, ")
            diags.add(pos, "S010", f"{spec_cls.KIND} {where}: {message}"
                      if path else f"{spec_cls.KIND}: {message}")
        else:
            diags.add(pos, "S009", f"{where}: {e['msg']}")


def _describe(value: Any, type_name: str) -> str:
    if value is None:
        return "nothing (null)"
    names = {"str": "a string", "int": "an integer", "bool": "a boolean",
             "float": "a number", "dict": "a mapping", "list": "a list"}
    return f"{names.get(type_name, type_name)} {value!r}" if not isinstance(value, (dict, list)) \
        else names.get(type_name, type_name)
