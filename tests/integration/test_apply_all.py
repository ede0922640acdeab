"""The team's real ``assets/`` tree, every kind, through diff and apply.

Views (in a DuckDB lakehouse file of this module's own), the database, the
datasets, the charts, the roles, the dashboard and the RLS rule are applied to
a Superset of this module's own: ``--prune`` is exercised untargeted here, and
on the session's shared Superset that would delete what other tests' trees
created (and the assets' fixed names would meet theirs).

Then: a second diff is empty and a second apply sends no write; drift made by
hand through the API appears as exactly the fields touched, on every kind it
was made on, and apply restores it; a managed object removed from the tree is
pruned, an object made by hand never is. ``BENCH`` collects the request
counts and times (``pytest -s`` prints them).
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest

from superset_iac.apply.engine import Outcome
from superset_iac.kinds import dataset_bundle
from superset_iac.plan.model import Action
from tests.integration.conftest import SupersetInstance, start_instance
from tests.integration.trees import Api, Run, assets_copy, own_lakehouse_env

pytestmark = pytest.mark.integration

EXTRA_CHART = """\
name: Ticks per symbol
dataset: volume_stats
viz_type: table
description: Only here to be pruned.
params:
  query_mode: aggregate
  groupby: [symbol]
  metrics: [sum_volume]
  row_limit: 10
"""
BENCH: dict[str, object] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[SupersetInstance]:
    instance = start_instance(tmp_path_factory.mktemp("apply-all-home"), "base")
    yield instance
    instance.stop()
    if BENCH:
        print("\napply-all benchmark:", BENCH)


@pytest.fixture(scope="module")
def environ(server, tmp_path_factory) -> dict[str, str]:
    return own_lakehouse_env(server, tmp_path_factory, "apply-all")


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    return assets_copy(tmp_path_factory, "apply-all",
                       {"charts/ticks_per_symbol.yaml": EXTRA_CHART})


@pytest.fixture(scope="module")
def applied(tree, environ) -> Run:
    first = Run(tree, environ)
    created = Counter(c.kind for c in first.plan.changes if c.action is Action.CREATE)
    assert created == {"view": 3, "database": 1, "dataset": 4, "annotation_layer": 2, "chart": 6,
                       "role": 4, "css_template": 1, "theme": 1, "dashboard": 1, "group": 1,
                       "rls": 1, "saved_query": 1, "tag": 3, "report": 1}
    report = first.apply()
    BENCH["first apply"] = {"seconds": round(first.apply_seconds, 2),
                            "requests": first.ctx.client.count(),
                            "writes": len(first.writes())}
    assert Counter(e.outcome for e in report.events)[Outcome.CREATED] == 30
    return first


def test_second_diff_is_empty_and_apply_writes_nothing(applied, tree, environ):
    again = Run(tree, environ)
    assert again.fields() == [] and not again.plan.has_changes
    assert again.plan.unchanged == {"view": 3, "database": 1, "dataset": 4, "annotation_layer": 2,
                                    "chart": 6, "role": 5, "css_template": 1, "theme": 1,
                                    "dashboard": 1, "group": 1, "rls": 1, "saved_query": 1,
                                    "tag": 3, "report": 1}
    reads = Counter(r.path for r in again.ctx.client.requests if r.kind != "auth")
    assert again.writes() == []
    # What the database and dataset handlers document: one list each, one
    # connection per database; the three virtual datasets in one export
    # bundle, a detail for the physical one.
    assert reads["/api/v1/database/"] == 1 and reads["/api/v1/dataset/"] == 1
    assert sum(n for p, n in reads.items() if p.startswith("/api/v1/database/") and
               p.endswith("/connection")) == 1
    assert reads["/api/v1/dataset/export/"] == 1
    assert sum(n for p, n in reads.items() if p.startswith("/api/v1/dataset/") and
               p.rstrip("/").split("/")[-1].isdigit()) == 1
    # Reports: the list, and the detail of the tree's one report.
    assert reads["/api/v1/report/"] == 1
    assert sum(n for p, n in reads.items() if p.startswith("/api/v1/report/") and
               p.rstrip("/").split("/")[-1].isdigit()) == 1
    again.apply()
    assert again.ctx.client.requests == []
    BENCH["unchanged diff"] = {"seconds": round(again.diff_seconds, 2),
                               "requests": again.diff_requests, "by path": dict(reads)}


def test_datasets_read_from_a_bundle_equal_their_details(applied, tree, environ, monkeypatch):
    """The three virtual datasets come from one export bundle; read one detail
    each instead, every spec and every compared field is the same."""
    bundled = Run(tree, environ)
    reads = Counter(r.path for r in bundled.ctx.client.requests)
    assert reads["/api/v1/dataset/export/"] == 1
    monkeypatch.setattr(dataset_bundle, "FEWEST", 10**6)
    detailed = Run(tree, environ)
    assert Counter(r.path for r in detailed.ctx.client.requests)["/api/v1/dataset/export/"] == 0
    live = {k: o.spec.model_dump() for k, o in bundled.ctx.live["dataset"].items()}
    assert len(live) == 4
    assert live == {k: o.spec.model_dump() for k, o in detailed.ctx.live["dataset"].items()}
    assert sum(dataset_bundle.needs_detail(o.raw) for o in bundled.ctx.live["dataset"].values()) == 3


def test_drift_by_hand_appears_as_those_fields_alone_and_apply_restores(
        applied, tree, environ, server):
    api = Api(server)
    database = api.find("database", "database_name", "lakehouse")
    api.put(f"database/{database['id']}", {"cache_timeout": 60})
    dataset = api.find("dataset", "table_name", "option_ticks")
    metrics = api.get(f"dataset/{dataset['id']}")["result"]["metrics"]
    api.put(f"dataset/{dataset['id']}", {"always_filter_main_dttm": False, "metrics": [
        {"id": m["id"], "metric_name": m["metric_name"], "expression": m["expression"],
         **({"d3format": ",.3f"} if m["metric_name"] == "avg_price" else {})} for m in metrics]})
    chart = api.find("chart", "slice_name", "Volume by symbol")
    api.put(f"chart/{chart['id']}", {"description": "Edited in the UI"})
    dashboard = api.find("dashboard", "slug", "lakehouse-analytics")
    api.put(f"dashboard/{dashboard['id']}", {"dashboard_title": "Lakehouse (edited)"})

    drift = Run(tree, environ)
    assert sorted(drift.fields()) == [
        ("chart/Volume by symbol", "description", "Edited in the UI",
         "Total traded volume per symbol."),
        ("dashboard/lakehouse-analytics", "title", "Lakehouse (edited)", "Lakehouse Analytics"),
        ("database/lakehouse", "cache_timeout", 60, 600),
        ("dataset/option_ticks", "metrics[avg_price].d3format", ",.3f", ",.2f"),
    ]
    drift.apply()
    written = {path for _, path in drift.writes()}
    assert {f"/api/v1/database/{database['id']}", f"/api/v1/dataset/{dataset['id']}",
            f"/api/v1/chart/{chart['id']}", f"/api/v1/dashboard/{dashboard['id']}"} <= written
    assert all(p.startswith(("/api/v1/database/", "/api/v1/dataset/", "/api/v1/chart/",
                             "/api/v1/dashboard/")) for p in written), written
    BENCH["apply of 4 drifted objects"] = {"seconds": round(drift.apply_seconds, 2),
                                          "writes": drift.writes()}
    assert not Run(tree, environ).plan.has_changes


def test_prune_deletes_what_left_the_tree_and_never_what_was_made_by_hand(
        applied, tree, environ, server, tmp_path):
    api = Api(server)
    volume_stats = api.find("dataset", "table_name", "volume_stats")["id"]
    hand_chart = api.post("chart/", {"slice_name": "Made by hand", "viz_type": "table",
                                     "datasource_id": volume_stats, "datasource_type": "table",
                                     "params": "{}"})
    database = api.find("database", "database_name", "lakehouse")["id"]
    hand_dataset = api.post("dataset/", {"database": database, "schema": "logs_db",
                                         "table_name": "made_by_hand",
                                         "sql": "SELECT level FROM logs_db.app_logs"})
    smaller = tmp_path / "assets"
    shutil.copytree(tree, smaller)
    (smaller / "charts" / "ticks_per_symbol.yaml").unlink()
    (smaller / "rls" / "symbol_entitlement.yaml").unlink()

    assert not Run(smaller, environ).plan.has_changes  # nothing is deleted without --prune
    prune = Run(smaller, environ, prune=True)
    assert [(c.action, c.ref) for c in prune.plan.changes] == [
        (Action.DELETE, "rls/analyst_symbol_entitlement"), (Action.DELETE, "chart/Ticks per symbol")]
    assert prune.plan.unmanaged["chart"] == 1 and prune.plan.unmanaged["dataset"] == 1
    prune.apply()
    assert [m for m, _ in prune.writes()] == ["DELETE", "DELETE"]
    assert api.session.get(f"{api.url}/chart/{hand_chart}").status_code == 200
    assert api.session.get(f"{api.url}/dataset/{hand_dataset}").status_code == 200
    assert not Run(smaller, environ, prune=True).plan.has_changes
