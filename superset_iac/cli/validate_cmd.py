"""``superset-iac validate``: every problem in the tree, offline."""

from __future__ import annotations

import json

import click

from superset_iac import workflow
from superset_iac.cli.options import assets_options
from superset_iac.cli.output import handle_errors
from superset_iac.exitcodes import ExitCode


@click.command()
@assets_options
@handle_errors
def validate(assets: str, env_name: str | None, fmt: str) -> ExitCode:
    """Check the asset tree without contacting any server."""
    loaded = workflow.load(assets, env_name, connecting=False)
    diags = loaded.diagnostics
    if fmt == "json":
        click.echo(json.dumps({"valid": not diags.has_errors(), "objects": loaded.tree.count(),
                               "diagnostics": json.loads(diags.render_json())}, indent=2))
    else:
        if len(diags):
            click.echo(diags.render_text())
        status = "invalid" if diags.has_errors() else "valid"
        click.echo(f"{loaded.tree.count()} objects, {len(diags.errors)} error(s): {status}.",
                   err=diags.has_errors())
    return ExitCode.PROBLEMS if diags.has_errors() else ExitCode.OK
