"""Whatever the files hold, validate answers with diagnostics, never a traceback.

Every file of the fixture tree and of the team's assets is truncated at
several points, and every value in the fixture tree is replaced by a value of
another type (chart form data included, which the schema leaves open).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from superset_iac.load.tree import load_tree
from superset_iac.validate import validate_tree
from superset_iac.validate.chart_fields import COLUMN_KEYS, FILTER_KEYS, METRIC_KEYS

ROOT = Path(__file__).resolve().parents[3]
BASE = ROOT / "tests" / "fixtures" / "validate" / "base"
ODD_VALUES: list[Any] = [None, 7, "x", [], {}, [1, None], [{}], {"a": [1]}, True, 1.5,
                         [{"expressionType": "SQL", "sqlExpression": 3}],
                         [{"expressionType": "SIMPLE", "column": 5, "subject": []}],
                         ["[1]", "not json", 4]]


def _validate(root: Path) -> None:
    diags = validate_tree(load_tree(root))
    for diag in diags:
        assert diag.code and diag.pos.line >= 1


def _files() -> list[Path]:
    return sorted(BASE.rglob("*.yaml")) + sorted((ROOT / "assets").rglob("*.yaml"))


@pytest.mark.parametrize("source", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_truncated_files(source: Path, tmp_path: Path) -> None:
    text = source.read_text()
    kind_dir = source.parent.name
    for cut in sorted({len(text) // 5, len(text) // 3, len(text) // 2, len(text) - 2}):
        root = tmp_path / f"cut{cut}"
        (root / kind_dir).mkdir(parents=True)
        (root / kind_dir / source.name).write_text(text[:cut])
        _validate(root)


def _leaves(node: Any, path: tuple = ()) -> Iterator[tuple]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, path + (i,))
    yield path


def _replaced(data: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = _replaced(data[path[0]], path[1:], value)
    return copy


@pytest.mark.parametrize("source", sorted(BASE.rglob("*.yaml")), ids=lambda p: p.name)
def test_every_value_of_another_type(source: Path, tmp_path: Path) -> None:
    data = yaml.safe_load(source.read_text())
    root = tmp_path / "t"
    shutil.copytree(BASE, root)
    for n, path in enumerate(_leaves(data)):
        odd = ODD_VALUES[n % len(ODD_VALUES)]
        (root / source.relative_to(BASE)).write_text(yaml.safe_dump(_replaced(data, path, odd)))
        _validate(root)


@pytest.mark.parametrize("key", COLUMN_KEYS + METRIC_KEYS + FILTER_KEYS + ("order_by_cols",))
def test_chart_form_data_of_any_shape(key: str, tmp_path: Path) -> None:
    shutil.copytree(BASE, tmp_path / "t")
    chart = tmp_path / "t" / "charts" / "price.yaml"
    data = yaml.safe_load(chart.read_text())
    for value in ODD_VALUES:
        data["params"][key] = value
        chart.write_text(yaml.safe_dump(data))
        _validate(tmp_path / "t")
