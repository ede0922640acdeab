"""``--rotate-passwords`` against a real Superset.

DuckDB takes no user-info password (``duckdb.connect`` refuses the keyword),
but duckdb_engine accepts a ``?password=`` query parameter, so Superset's
connection test passes with it; Superset returns query parameters unmasked,
which lets this test read back the password it stored.
"""

from __future__ import annotations

from pathlib import Path

from superset_iac import workflow
from superset_iac.kinds.base import Context
from superset_iac.plan.model import Action
from tests.integration.trees import ENV_FILE, apply_ok, writes


def test_a_rotation_writes_the_new_password_and_only_with_the_flag(superset, tmp_path: Path,
                                                                   unique: str) -> None:
    name = f"rotated-{unique}"
    (tmp_path / "environments").mkdir()
    (tmp_path / "databases").mkdir()
    (tmp_path / "environments" / "local.yaml").write_text(
        ENV_FILE.format(name="local") + "secrets: [ROT_PW]\n")
    (tmp_path / "databases" / "db.yaml").write_text(
        f"name: {name}\nuri: duckdb:///{tmp_path}/rot.duckdb?password=${{ROT_PW}}\n")
    environ = {"SUPERSET_URL": superset.url, "SUPERSET_USERNAME": superset.username,
               "SUPERSET_PASSWORD": superset.password, "ROT_PW": "first-pw-1"}

    def diff(rotate: bool = False):
        loaded = workflow.load(tmp_path, "local", environ)
        assert not loaded.diagnostics.has_errors(), loaded.diagnostics.render_text()
        ctx = Context(client=workflow.connect(loaded.env, workflow.Connection()), env=loaded.env)
        return workflow.diff(loaded, ctx, rotate=rotate), ctx

    created, ctx = diff()
    apply_ok(created, ctx)
    db_id = ctx.ids.id("database", name)
    api = superset.session()

    def stored() -> str:
        resp = api.get(f"{superset.url}/api/v1/database/{db_id}/connection", timeout=30)
        resp.raise_for_status()
        return resp.json()["result"]["sqlalchemy_uri"]

    try:
        assert "password=first-pw-1" in stored()
        environ["ROT_PW"] = "second-pw-2"
        assert not diff()[0].has_changes  # the password alone is invisible without the flag
        rotation, ctx = diff(rotate=True)
        assert [(c.action, c.ref, [f.path for f in c.fields], c.rotate)
                for c in rotation.changes] == [
            (Action.UPDATE, f"database/{name}", ["uri.password"], True)]
        apply_ok(rotation, ctx)
        assert writes(ctx.client) == [("PUT", f"/api/v1/database/{db_id}")]
        assert "password=second-pw-2" in stored()
        assert not diff()[0].has_changes
    finally:
        api.delete(f"{superset.url}/api/v1/database/{db_id}", timeout=30)
