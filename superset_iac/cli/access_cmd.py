"""``superset-iac access``: what each role reaches, and through what.

Offline, from the tree, by default; with ``--env`` (or SUPERSET_IAC_ENV) or
``--url`` on the command line, from the live Superset (read only). The computation
is ``access.compute`` either way.
Exit 0 when shown; 1 when the tree has errors (offline) or is invalid for
the environment; 2 for options, an unknown ``--role`` or the connection.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import click

from superset_iac import workflow
from superset_iac.access import AccessMap, RoleAccess, effective_access
from superset_iac.access.compute import tree_access
from superset_iac.access.live import read_specs
from superset_iac.access.render import access_json, render_access
from superset_iac.cli.common import context, load_valid
from superset_iac.cli.options import assets_options, connection_options
from superset_iac.cli.output import handle_errors
from superset_iac.diagnostics import Diagnostics
from superset_iac.errors import AssetError, ConfigError
from superset_iac.exitcodes import ExitCode
from superset_iac.load.tree import AssetTree
from superset_iac.superset.errors import redact


@click.command()
@assets_options
@connection_options
@click.option("--role", "roles", multiple=True, metavar="NAME",
              help="Only this role (repeatable).")
@handle_errors
def access(assets: str, env_name: str | None, fmt: str, url: str | None, username: str | None,
           password: str | None, access_token: str | None, insecure: bool, timeout: float,
           concurrency: int, roles: tuple[str, ...]) -> ExitCode:
    """Show what each role reaches and through what: datasets, databases, catalogs,
    schemas, dashboards and SQL Lab tables, by grant, dashboard, extends, schema
    or database access.

    From the tree without a server; with --env (or --url) from the live Superset,
    read only.
    """
    if env_name is None and not _url_given():
        found, source, where = _offline(assets), "tree", assets
    else:
        loaded = load_valid(assets, env_name) if env_name is not None else \
            workflow.Loaded(AssetTree(Path(assets)), Diagnostics())
        ctx = context(loaded, url, username, password, access_token, insecure, timeout,
                      concurrency)
        found = effective_access(read_specs(ctx))
        source, where = "live", redact(str(ctx.url or url))
    selected = _select(found, roles)
    render = access_json if fmt == "json" else render_access
    click.echo(render(selected, source, where))
    return ExitCode.OK


def _url_given() -> bool:
    """``--url`` on the command line. SUPERSET_URL alone does not make the command
    go live: it is commonly set for diff and apply, and offline is the default."""
    source = click.get_current_context().get_parameter_source("url")
    return source is click.core.ParameterSource.COMMANDLINE


def _offline(assets: str) -> AccessMap:
    if not Path(assets).is_dir():
        raise ConfigError(f"asset directory '{assets}' not found (pass --assets DIR)")
    loaded = workflow.load(assets, None, connecting=False)
    if loaded.diagnostics.has_errors():
        click.echo(loaded.diagnostics.render_text(), err=True)
        raise AssetError(f"{len(loaded.diagnostics.errors)} problem(s) in the assets "
                         "(superset-iac validate)")
    return tree_access(loaded.tree)


def _select(found: AccessMap, roles: tuple[str, ...]) -> list[RoleAccess]:
    """The roles asked for (all by default); an unknown name is a usage error."""
    for name in roles:
        if name not in found.roles:
            close = difflib.get_close_matches(name, list(found.roles), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(f"--role {name}: no such role{hint}; known: "
                              f"{', '.join(sorted(found.roles)) or 'none'}")
    return [r for r in found if not roles or r.role in roles]
