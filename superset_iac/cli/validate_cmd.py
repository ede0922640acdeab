"""``superset-iac validate``: every problem in the tree, offline.

Exit 0 when there is no error (warnings are printed but do not fail), 1 when
there is at least one, 2 when the asset directory does not exist or an
option is wrong. Text output is one ``file:line:col: CODE message`` line per
problem, then a summary on stderr when invalid; JSON output is one object
(``valid``, ``objects``, ``errors``, ``warnings``, ``diagnostics``).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from superset_iac import workflow
from superset_iac.cli.options import assets_options
from superset_iac.cli.output import handle_errors
from superset_iac.diagnostics import Diagnostics
from superset_iac.errors import ConfigError
from superset_iac.exitcodes import ExitCode


@click.command()
@assets_options
@handle_errors
def validate(assets: str, env_name: str | None, fmt: str) -> ExitCode:
    """Check the asset tree without contacting any server."""
    if not Path(assets).is_dir():
        raise ConfigError(f"asset directory '{assets}' not found (pass --assets DIR)")
    loaded = workflow.load(assets, env_name, connecting=False)
    diags = loaded.diagnostics
    if fmt == "json":
        click.echo(json.dumps(_summary(diags, loaded.tree.count()), indent=2))
    else:
        if len(diags):
            click.echo(diags.render_text())
        warnings = len(diags) - len(diags.errors)
        status = "invalid" if diags.has_errors() else "valid"
        click.echo(f"{loaded.tree.count()} objects, {len(diags.errors)} error(s), "
                   f"{warnings} warning(s): {status}.", err=diags.has_errors())
    return ExitCode.PROBLEMS if diags.has_errors() else ExitCode.OK


def _summary(diags: Diagnostics, objects: int) -> dict:
    return {"valid": not diags.has_errors(), "objects": objects,
            "errors": len(diags.errors), "warnings": len(diags) - len(diags.errors),
            "diagnostics": [d.to_dict() for d in diags.sorted()]}
