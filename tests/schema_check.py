"""Validate an asset tree's files against the generated JSON Schemas, as an
editor would: the tool's own YAML loader (dates stay strings), one document
at a time. Shared by the unit tests (assets/, fixtures) and the export
round-trip tests (trees written by export)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.yaml_source import parse_yaml
from superset_iac.model.json_schema import directories, schemas


def validators() -> dict[str, jsonschema.Draft202012Validator]:
    """Asset directory -> a validator of its files (each schema checked first)."""
    out = {}
    for name, text in schemas().items():
        schema = json.loads(text)
        jsonschema.Draft202012Validator.check_schema(schema)
        out[name.removesuffix(".schema.json")] = jsonschema.Draft202012Validator(schema)
    return out


def documents(tree: Path) -> list[tuple[str, Path, object]]:
    """(directory, file, document) for every YAML document of ``tree``."""
    found = []
    for directory in directories():
        for path in sorted((tree / directory).rglob("*.y*ml")):
            for doc in parse_yaml(path.read_text(encoding="utf-8"), str(path), Diagnostics()):
                if doc.data is not None:
                    found.append((directory, path, doc.data))
    return found


def problems(validator: jsonschema.Draft202012Validator, data: object) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(data)]


def tree_problems(tree: Path) -> tuple[int, dict[str, list[str]]]:
    """(documents checked, {file: problems}) for every file of ``tree``."""
    checks = validators()
    docs = documents(tree)
    found = {str(path): problems(checks[directory], data) for directory, path, data in docs}
    return len(docs), {path: p for path, p in found.items() if p}
