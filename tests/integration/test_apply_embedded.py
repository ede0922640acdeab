"""Embedded dashboards applied to a real Superset 6.1 (EMBEDDED_SUPERSET on in
the local profile): the round trip, drift by hand, and Superset's own embedded
page letting in exactly the allowed origins.

The tree: the local environment, a dashboard of its own and its embedding.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
import requests

from superset_iac.plan.model import Action
from tests.integration.trees import Api, Run, assert_export_unchanged

ROOT = Path(__file__).resolve().parents[2]
PORTAL, LOCAL_APP = "https://portal.example.com", "http://localhost:3000"


@pytest.fixture(scope="module")
def slug() -> str:
    return f"it-embedded-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def tree(tmp_path_factory, slug) -> Path:
    root = tmp_path_factory.mktemp("embedded-assets")
    shutil.copytree(ROOT / "assets" / "environments", root / "environments")
    (root / "dashboards").mkdir()
    (root / "dashboards" / "board.yaml").write_text(
        f"title: Embedded check {slug}\nslug: {slug}\npublished: true\n")
    (root / "embedded").mkdir()
    (root / "embedded" / "board.yaml").write_text(
        f"dashboard: {slug}\nallowed_domains: [{PORTAL}, {LOCAL_APP}]\n")
    return root


@pytest.fixture(scope="module")
def environ(superset, lakehouse_path, tmp_path_factory) -> dict[str, str]:
    audit = tmp_path_factory.mktemp("embedded-audit") / "audit.jsonl"
    return {**superset.env(lakehouse_path), "SUPERSET_IAC_AUDIT_LOG": str(audit)}


@pytest.fixture(scope="module")
def api(superset) -> Api:
    return Api(superset)


@pytest.fixture(scope="module")
def applied(tree, environ, slug) -> str:
    """The first apply; the embedding's uuid as the apply reported it."""
    first = Run(tree, environ)
    assert [(c.action, c.kind) for c in first.plan.changes] == [
        (Action.CREATE, "dashboard"), (Action.CREATE, "embedded")]
    report = first.apply()
    (event,) = [e for e in report.events if e.change.kind == "embedded"]
    assert "pass it to the Embedded SDK" in event.message, event.message
    return event.message.split()[1]


def stored(api: Api, slug: str) -> dict:
    return api.call("GET", f"dashboard/{slug}/embedded")["result"]


def test_superset_holds_the_domains_and_the_uuid_apply_showed(applied, api, slug):
    result = stored(api, slug)
    assert sorted(result["allowed_domains"]) == sorted([PORTAL, LOCAL_APP])
    assert result["uuid"] == applied


def test_apply_then_diff_is_empty_and_writes_nothing(applied, tree, environ):
    again = Run(tree, environ)
    assert again.changes() == []
    assert again.writes() == []


def test_the_embedded_page_opens_for_an_allowed_origin_only(applied, superset):
    page = f"{superset.url}/embedded/{applied}"
    allowed = requests.get(page, headers={"Referer": f"{PORTAL}/reports"}, timeout=30)
    assert allowed.status_code == 200, allowed.text[:300]
    refused = requests.get(page, headers={"Referer": "https://elsewhere.example.com/"}, timeout=30)
    assert refused.status_code == 403


def test_drift_by_hand_is_shown_and_apply_restores_it_keeping_the_uuid(
        applied, api, tree, environ, slug):
    api.put(f"dashboard/{slug}/embedded", {"allowed_domains": [PORTAL, "https://evil.example.com"]})
    drift = Run(tree, environ)
    assert drift.changes() == [("update", "embedded", slug, ["allowed_domains"])]
    (field,) = drift.plan.changes[0].fields
    assert (field.before, field.after) == (sorted(["https://evil.example.com", PORTAL]),
                                           sorted([LOCAL_APP, PORTAL]))
    drift.apply()
    assert Run(tree, environ).changes() == []
    assert stored(api, slug)["uuid"] == applied  # Superset upserts: the host pages keep working


def test_export_writes_the_tree_back_unchanged(applied, tree, environ):
    assert_export_unchanged(tree, environ, "--embedded")


def test_prune_removes_an_embedding_gone_from_the_tree(applied, api, tree, environ, slug):
    spec = tree / "embedded" / "board.yaml"
    text = spec.read_text()
    spec.unlink()
    try:
        pruned = Run(tree, environ, prune=True, targets=("embedded",))  # others: other modules
        deletes = [(c.kind, c.key) for c in pruned.plan.changes if c.action is Action.DELETE]
        assert ("embedded", slug) in deletes
        pruned.apply()
        answer = api.session.get(f"{api.url}/dashboard/{slug}/embedded", timeout=30)
        assert answer.status_code == 404
    finally:
        spec.write_text(text)
    Run(tree, environ).apply()
