"""Roles, users and row level security applied to a real Superset 6.1.

The tree is the team's own ``assets/`` (environments, databases, views,
datasets, the five roles, the RLS rule) plus two test users, applied through
the same path as ``superset-iac apply``: load -> resolve -> read live -> pure
plan -> apply engine. Then drift made by hand through the API must show up as
exactly that change, and apply must undo it.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pytest
import requests

from superset_iac.kinds import permissions as perms
from superset_iac.kinds.registry import HANDLERS
from superset_iac.plan.model import Action
from tests.integration.trees import Run

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("environments", "databases", "views", "datasets", "roles", "rls")
VIEWER_PASSWORD = "Viewer-pw-4-tests!"
ANALYST_PASSWORD = "Analyst-pw-4-tests!"
USERS = """\
username: {name}
first_name: Test
last_name: {role}
email: {name}@example.com
roles: [{role}]
password: ${{{var}}}
"""


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("security-assets")
    for kind in KINDS:
        shutil.copytree(ROOT / "assets" / kind, root / kind)
    (root / "users").mkdir()
    (root / "users" / "viewer.yaml").write_text(
        USERS.format(name="it_viewer", role="Viewer", var="IT_VIEWER_PASSWORD"))
    (root / "users" / "analyst.yaml").write_text(
        USERS.format(name="it_analyst", role="Analyst", var="IT_ANALYST_PASSWORD"))
    return root


@pytest.fixture(scope="module")
def environ(superset, lakehouse_path, tmp_path_factory) -> dict[str, str]:
    audit = tmp_path_factory.mktemp("audit") / "audit.jsonl"
    return {**superset.env(lakehouse_path), "IT_VIEWER_PASSWORD": VIEWER_PASSWORD,
            "IT_ANALYST_PASSWORD": ANALYST_PASSWORD, "SUPERSET_IAC_AUDIT_LOG": str(audit)}


def security_changes(run: Run) -> list:
    return [c for c in run.changes() if c[1] in ("role", "user", "rls")]


@pytest.fixture(scope="module")
def applied(tree, environ) -> Run:
    first = Run(tree, environ)
    created = {(c.kind, c.key) for c in first.plan.changes if c.action is Action.CREATE}
    assert {("role", n) for n in ("Analyst", "Viewer", "Developer", "Ops")} <= created
    assert ("role", "Admin") not in created  # a built-in is restated, never created
    assert {("user", "it_viewer"), ("rls", "analyst_symbol_entitlement")} <= created
    first.apply()
    return first


def test_apply_then_diff_is_empty_and_writes_nothing(applied, tree, environ):
    again = Run(tree, environ)
    assert again.changes() == []
    writes = again.ctx.client.count(("POST", "PUT", "DELETE"))
    assert writes == 0


def test_each_role_holds_exactly_what_it_declares(applied, superset):
    sess = superset.session()
    url = f"{superset.url}/api/v1/security"
    pvms = {r["id"]: (r["permission"]["name"], r["view_menu"]["name"])
            for r in _all(sess, f"{url}/permissions-resources/")}
    roles = {r["name"]: r for r in _all(sess, f"{url}/roles/search/")}
    viewer = {pvms[i] for i in roles["Viewer"]["permission_ids"]}
    datasets = {n for p, n in viewer if p == "datasource_access"}
    assert {re.sub(r"\(id:\d+\)$", "", n) for n in datasets} == {
        "[lakehouse].[option_ticks]", "[lakehouse].[volume_stats]", "[lakehouse].[mv_daily_stats]",
        "[lakehouse].[app_log_events]"}
    assert ("database_access", "superset-iac://role/Viewer") in viewer  # the managed marker
    assert ("can_write", "Chart") not in viewer
    gamma = set(roles["Gamma"]["permission_ids"])
    assert gamma <= set(roles["Analyst"]["permission_ids"])
    admin = {pvms[i] for i in roles["Admin"]["permission_ids"]}
    assert not any(n.startswith("superset-iac://") for _, n in admin)


def test_permission_added_by_hand_is_drift_that_apply_removes(applied, superset, tree, environ):
    sess = superset.session()
    url = f"{superset.url}/api/v1/security"
    viewer = next(r for r in _all(sess, f"{url}/roles/search/") if r["name"] == "Viewer")
    can_write_chart = next(r["id"] for r in _all(sess, f"{url}/permissions-resources/")
                           if (r["permission"]["name"], r["view_menu"]["name"]) == ("can_write", "Chart"))
    sess.post(f"{url}/roles/{viewer['id']}/permissions",
              json={"permission_view_menu_ids": viewer["permission_ids"] + [can_write_chart]}
              ).raise_for_status()

    drift = Run(tree, environ)
    assert drift.changes() == [("update", "role", "Viewer", ["permissions.Chart"])]
    field = drift.plan.changes[0].fields[0]
    assert (field.before, field.after) == (["can_read", "can_write"], ["can_read"])
    drift.apply()
    assert Run(tree, environ).changes() == []


def test_rls_clause_changed_by_hand_is_drift_that_apply_restores(applied, superset, tree, environ):
    sess = superset.session()
    rule = next(r for r in _all(sess, f"{superset.url}/api/v1/rowlevelsecurity/")
                if r["name"] == "analyst_symbol_entitlement")
    assert rule["description"].endswith("\n\nsuperset-iac://rls/analyst_symbol_entitlement")
    # As the UI does: the whole rule. (A PUT without tables/roles empties them:
    # Superset 6.1 replaces both lists with what is sent, nothing included.)
    sess.put(f"{superset.url}/api/v1/rowlevelsecurity/{rule['id']}", json={
        "name": rule["name"], "filter_type": rule["filter_type"], "clause": "1 = 1",
        "group_key": rule["group_key"], "description": rule["description"],
        "tables": [t["id"] for t in rule["tables"]], "roles": [r["id"] for r in rule["roles"]],
    }).raise_for_status()

    drift = Run(tree, environ)
    assert security_changes(drift) == [("update", "rls", "analyst_symbol_entitlement", ["clause"])]
    assert (drift.plan.changes[0].fields[0].before, drift.plan.changes[0].fields[0].after) == (
        "1 = 1", "symbol IN ('AAPL', 'MSFT', 'NVDA')")
    drift.apply()
    assert Run(tree, environ).changes() == []
    restored = sess.get(f"{superset.url}/api/v1/rowlevelsecurity/{rule['id']}").json()["result"]
    assert restored["clause"] == "symbol IN ('AAPL', 'MSFT', 'NVDA')"


def test_viewer_reads_dashboards_and_only_its_datasets_but_cannot_create_a_chart(applied, superset):
    sess = _login(superset.url, "it_viewer", VIEWER_PASSWORD)
    assert sess.get(f"{superset.url}/api/v1/me/").json()["result"]["username"] == "it_viewer"
    assert sess.get(f"{superset.url}/api/v1/dashboard/").status_code == 200
    datasets = sess.get(f"{superset.url}/api/v1/dataset/", params={"q": "(page_size:100)"})
    assert datasets.status_code == 200
    assert {d["table_name"] for d in datasets.json()["result"]} == {
        "option_ticks", "volume_stats", "mv_daily_stats", "app_log_events"}
    created = sess.post(f"{superset.url}/api/v1/chart/",
                        json={"slice_name": "nope", "viz_type": "table",
                              "datasource_id": 1, "datasource_type": "table"})
    assert created.status_code == 403, created.text
    assert created.json() == {"message": "Forbidden"}


def test_a_managed_role_removed_from_the_tree_is_pruned_and_a_hand_made_one_is_not(
        applied, superset, tree, environ, tmp_path):
    sess = superset.session()
    url = f"{superset.url}/api/v1/security"
    sess.post(f"{url}/roles/", json={"name": "Made by hand"}).raise_for_status()
    smaller = tmp_path / "tree"
    shutil.copytree(tree, smaller)
    (smaller / "roles" / "ops.yaml").unlink()

    # Targeted: on this shared server an untargeted prune would also delete the
    # managed objects (and roles) other tests' trees created.
    prune = Run(smaller, environ, prune=True, targets=("role/Ops", "role/Made by hand"))
    assert prune.changes() == [("delete", "role", "Ops", [])]
    assert prune.plan.unmanaged == {"role": 1}
    prune.apply()
    names = {r["name"] for r in _all(sess, f"{url}/roles/search/")}
    assert "Ops" not in names and "Made by hand" in names
    markers = [r for r in _all(sess, f"{url}/resources/") if r["name"] == "superset-iac://role/Ops"]
    assert markers == []
    Run(tree, environ).apply()  # put Ops back for the tests after this one


def test_request_count_of_a_diff_for_the_security_kinds(applied, tree, environ):
    run = Run(tree, environ)  # reads everything once: ids of datasets/databases are known
    counts = {}
    for kind in ("role", "user", "rls"):
        run.ctx.client.reset_log()
        HANDLERS[kind].read(run.ctx)
        counts[kind] = run.ctx.client.count("GET")
    pvm_count = len(perms.catalogue(run.ctx).pairs)
    role_count = len(run.ctx.cache.role_rows or [])
    assert counts == {"role": math.ceil(role_count / 100) + math.ceil(pvm_count / 100),
                      "user": 1, "rls": 1}
    print(f"\nsecurity diff reads: {counts} (roles={role_count}, pvms={pvm_count})")


def _all(sess: requests.Session, url: str) -> list[dict]:
    rows: list[dict] = []
    page = 0
    while True:
        body = sess.get(url, params={"q": f"(page:{page},page_size:100)"}).json()
        rows += body["result"]
        if len(rows) >= body["count"] or not body["result"]:
            return rows
        page += 1


def _login(base: str, username: str, password: str) -> requests.Session:
    """Signed in as the web UI is: the login form, then the CSRF token of a page.

    (A Viewer may not read ``/api/v1/security/csrf_token/``: the UI takes the
    token from the page it serves.)
    """
    sess = requests.Session()
    form = sess.get(f"{base}/login/")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text).group(1)
    signed_in = sess.post(f"{base}/login/", allow_redirects=False, data={
        "username": username, "password": password, "csrf_token": token})
    assert signed_in.status_code == 302 and "/login" not in signed_in.headers["Location"]
    page = sess.get(f"{base}/dashboard/list/")
    assert page.status_code == 200
    csrf = re.search(r'id="csrf_token"[^>]*value="([^"]+)"', page.text)
    sess.headers.update({"Accept": "application/json", "Referer": base,
                         "X-CSRFToken": csrf.group(1) if csrf else token})
    return sess
