"""``superset-iac convert``: native Superset export bundles -> the asset tree, offline."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from superset_iac.cli.export_cmd import _existing_tree, render
from superset_iac.cli.options import format_option
from superset_iac.cli.output import handle_errors
from superset_iac.convert.run import convert as run_convert
from superset_iac.exitcodes import ExitCode


@click.command()
@click.argument("bundles", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--assets", default="assets", show_default=True, type=click.Path(file_okay=False),
              envvar="SUPERSET_IAC_ASSETS",
              help="Directory to write into; existing files are updated in place.")
@click.option("--migrate-legacy", is_flag=True,
              help="Rewrite legacy chart types to their ECharts successors, as Superset's "
                   "import does (default: keep them, with a B001 warning each).")
@format_option
@handle_errors
def convert(bundles: tuple[str, ...], assets: str, migrate_legacy: bool, fmt: str) -> ExitCode:
    """Adopt Superset export bundles (ZIP files or directories) without a server.

    Writes exactly what `export` would write after a Superset imported the
    bundles: names instead of uuids, the compact layout, passwords as ${VAR}.
    Several bundles make one tree; objects already in it are updated in place.
    """
    root = Path(assets)
    result = run_convert([Path(b) for b in bundles], _existing_tree(root), root,
                         migrate_legacy=migrate_legacy)
    if fmt == "json":
        click.echo(json.dumps({**result.report.to_dict(), "notes": result.notes,
                               "diagnostics": [d.to_dict() for d in result.diagnostics]},
                              indent=2))
    else:
        click.echo(render(result.report, os.environ, title="Convert"))
        for diag in result.diagnostics:
            click.echo(diag.render())
        for note in result.notes:
            click.echo(f"note: {note}")
    return ExitCode.OK
