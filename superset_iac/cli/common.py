"""Steps several commands share: load+validate, then connect."""

from __future__ import annotations

import click

from superset_iac import workflow
from superset_iac.errors import AssetError
from superset_iac.kinds.base import Context


def load_valid(assets: str, env_name: str | None) -> workflow.Loaded:
    """Load for an environment; print diagnostics and stop if any is an error."""
    if env_name is None:
        raise click.UsageError("--env is required (or set SUPERSET_IAC_ENV)")
    loaded = workflow.load(assets, env_name)
    if len(loaded.diagnostics):
        click.echo(loaded.diagnostics.render_text(), err=True)
    if loaded.diagnostics.has_errors():
        raise AssetError(f"{len(loaded.diagnostics.errors)} problem(s) in the assets; "
                         "nothing was changed")
    return loaded


def context(loaded: workflow.Loaded, url: str | None, username: str | None,
            password: str | None, access_token: str | None, insecure: bool) -> Context:
    conn = workflow.Connection(url, username, password, access_token, insecure)
    client = workflow.connect(loaded.env, conn)
    base_url = url or (loaded.env.superset.url if loaded.env else "")
    return Context(client=client, env=loaded.env, options={"url": base_url},
                   warehouse=_warehouse(loaded))


def _warehouse(loaded: workflow.Loaded) -> object:
    """The views' warehouse, only when the tree has views (it connects lazily)."""
    views = loaded.desired.get("view") or {}
    if not views or loaded.env is None:
        return None
    from superset_iac.warehouse import connect_warehouse

    return connect_warehouse(loaded.env, views.values())
