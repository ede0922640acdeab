"""Superset's own examples round-trip through export: content nobody here wrote.

``superset load-examples`` (the ``superset_examples`` fixture) gives
dashboards with tabs, markdown and native filters, charts of dozens of viz
types, physical and virtual datasets. Every one of them must survive:

* export --all -> diff: no changes, for every object;
* apply after export: nothing written, nothing adopted;
* export again: not a byte changes;
* the export applied to a fresh Superset -> exported from there: the same files;
* the export validates with no error;
* ``convert`` of the example configurations as native bundles (the corpus,
  ``corpus.py``) writes, offline, the same bytes as their export.
"""

from __future__ import annotations

import difflib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from superset_iac.load.tree import load_tree
from tests.integration.conftest import start_instance
from tests.integration.corpus import build_bundles, zip_all
from tests.integration.trees import Api, cli, diff_text, export_json, new_tree, snapshot

ENV = "examples"
DIRS = {"dashboard": "dashboards", "chart": "charts", "dataset": "datasets",
        "database": "databases"}


@dataclass
class Exported:
    root: Path
    env: dict[str, str]
    report: dict[str, Any]
    seconds: float
    api: Api


@pytest.fixture(scope="module")
def examples(superset_examples, tmp_path_factory) -> Exported:
    root = new_tree(tmp_path_factory.mktemp("examples") / "assets", ENV)
    env = superset_examples.env()
    started = time.perf_counter()
    report = export_json(root, env, "--all", env_name=ENV)
    return Exported(root, env, report, time.perf_counter() - started, Api(superset_examples))


@pytest.fixture(scope="module")
def fresh_superset(tmp_path_factory) -> Iterator[Any]:
    """An empty Superset that may open the examples' SQLite file."""
    instance = start_instance(tmp_path_factory.mktemp("fresh-for-examples"), "base",
                              {"SUPERSET_IAC_ALLOW_UNSAFE_DB_CONNECTIONS": "1"})
    yield instance
    instance.stop()


def files_of(root: Path, kind: str) -> list[Path]:
    return sorted((root / DIRS[kind]).rglob("*.yaml"))


def test_every_example_is_exported(examples: Exported) -> None:
    counts = {kind: examples.api.call("GET", f"{kind}/", q="(page_size:1)")["count"]
              for kind in DIRS}
    # What load-examples gives in 6.1.0; fewer means the fixture lost content.
    assert counts["dashboard"] >= 9 and counts["chart"] >= 100 and counts["dataset"] >= 20
    assert {kind: len(files_of(examples.root, kind)) for kind in DIRS} == counts
    summary = examples.report["summary"]
    print(f"\nexport --all of the examples: {summary['objects']} objects "
          f"({counts}), {examples.seconds:.1f} s, {examples.report['requests']} requests")
    assert examples.report["missing"] == [] and examples.report["unavailable"] == []
    text = "\n".join(snapshot(examples.root).values())
    assert "XXXXXXXXXX" not in text and "chartId" not in text and "datasetId" not in text


def test_diff_of_every_example_is_empty(examples: Exported) -> None:
    result = diff_text(examples.root, examples.env, ENV)
    assert result.exit_code == 0, result.output[-4000:]
    objects = examples.report["summary"]["objects"]
    assert f"No changes. {objects} objects up to date." in result.output


def test_apply_after_export_writes_nothing_and_adopts_nothing(examples: Exported) -> None:
    result = cli("apply", "--assets", examples.root, "--env", ENV, "--yes", "--format", "json",
                 env=examples.env)
    assert result.exit_code == 0, result.output[-4000:]
    assert json.loads(result.stdout)["events"] == []
    for page in range(2):  # 100 charts a page
        rows = examples.api.call(
            "GET", "chart/", q=f"(columns:!(is_managed_externally),page:{page},page_size:100)")
        assert not any(row["is_managed_externally"] for row in rows["result"])


def test_exporting_the_examples_again_changes_no_byte(examples: Exported) -> None:
    before = snapshot(examples.root)
    report = export_json(examples.root, examples.env, "--all", env_name=ENV)
    assert report["summary"]["unchanged"] == len(report["files"])
    assert snapshot(examples.root) == before


def test_the_examples_applied_to_a_fresh_superset_export_the_same(
        examples: Exported, fresh_superset, tmp_path) -> None:
    env = fresh_superset.env()
    tree = new_tree(tmp_path / "applied", "fresh")
    for rel, text in snapshot(examples.root).items():
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text(text, encoding="utf-8")
    started = time.perf_counter()
    applied = cli("apply", "--assets", tree, "--env", "fresh", "--yes", env=env)
    assert applied.exit_code == 0, applied.output[-6000:]
    print(f"\napply of the examples to a fresh Superset: {time.perf_counter() - started:.1f} s")
    again = new_tree(tmp_path / "again", "fresh")
    export_json(again, env, "--all", env_name="fresh")
    assert snapshot(again) == snapshot(examples.root)


def test_the_export_of_every_example_validates(examples: Exported) -> None:
    result = cli("validate", "--assets", examples.root, "--format", "json", env=examples.env)
    report = json.loads(result.stdout)
    errors = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert result.exit_code == 0 and errors == [], errors[:5]
    # Superset's own examples carry one typo nothing reads (x_axis_forma): S023 says so;
    # and a filter of the Sales dashboard scoped to every chart cannot narrow some: F001.
    warned = {(d["code"], d["message"].split("params key ")[-1].split(" ")[0])
              for d in report["diagnostics"]}
    print(f"\nwarnings on the examples: {sorted(warned)}")
    assert all(code in ("S023", "F001") for code, _ in warned)


@pytest.fixture(scope="module")
def imported_superset(tmp_path_factory) -> Iterator[Any]:
    """An empty Superset into which the corpus bundles are imported."""
    instance = start_instance(tmp_path_factory.mktemp("corpus-import"), "base",
                              {"SUPERSET_IAC_ALLOW_UNSAFE_DB_CONNECTIONS": "1"})
    yield instance
    instance.stop()


def test_convert_of_the_corpus_writes_what_export_writes_after_its_import(
        examples: Exported, imported_superset, tmp_path: Path) -> None:
    uri = load_tree(examples.root).get("database", "examples").uri
    bundles = build_bundles(tmp_path / "bundles", uri)
    api = Api(imported_superset)
    with zip_all(bundles, tmp_path / "corpus.zip").open("rb") as archive:
        resp = api.session.post(f"{api.url}/assets/import/", files={"bundle": archive},
                                timeout=300)
    assert resp.ok, resp.text[:2000]
    env = imported_superset.env()
    exported = new_tree(tmp_path / "exported", "imported")
    started = time.perf_counter()
    export_json(exported, env, "--all", "--owners", "drop", env_name="imported")
    print(f"\nexport of the imported corpus: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    # Superset's import migrates legacy chart types (the examples' bubble chart
    # becomes bubble_v2); convert does the same with --migrate-legacy.
    result = cli("convert", *bundles, "--migrate-legacy", "--assets", tmp_path / "converted",
                 env=env)
    assert result.exit_code == 0, result.output[-4000:]
    print(f"convert of {len(bundles)} bundles: {time.perf_counter() - started:.1f} s")
    assert "B001" not in result.output and "B002" not in result.output, result.output[-2000:]
    skipped: set[str] = set()
    ours, theirs = snapshot(tmp_path / "converted"), snapshot(exported)
    # Superset's init already made an `examples` database, which the import
    # updates: what the bundle leaves out (allow_file_upload) stays as it was
    # there. Only the URI, which the bundle does give, can be compared.
    database = "databases/examples.yaml"
    assert ours[database].splitlines()[:2] == theirs[database].splitlines()[:2]
    skipped.add(database)
    ours = {k: v for k, v in ours.items() if k not in skipped}
    theirs = {k: v for k, v in theirs.items() if k not in skipped}
    assert len(ours) >= 100 and sorted(ours) == sorted(theirs), \
        sorted(set(ours) ^ set(theirs))[:20]
    different = [(rel, ours[rel], theirs[rel]) for rel in ours if ours[rel] != theirs[rel]]
    report = "\n".join(
        f"{rel}:\n" + "\n".join(list(difflib.unified_diff(a.splitlines(), b.splitlines(),
                                                       "converted", "exported", lineterm=""))[:40])
        for rel, a, b in different)
    assert not different, f"{len(different)} files differ:\n{report}"
