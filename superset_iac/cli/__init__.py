"""The ``superset-iac`` command line: thin commands over ``workflow``."""

from __future__ import annotations

import click

from superset_iac import __version__
from superset_iac.cli.apply_cmd import apply
from superset_iac.cli.convert_cmd import convert
from superset_iac.cli.diff_cmd import diff
from superset_iac.cli.export_cmd import export
from superset_iac.cli.graph_cmd import graph
from superset_iac.cli.schema_cmd import schema
from superset_iac.cli.validate_cmd import validate

EPILOG = """\b
Exit codes:
  0  success (diff: no changes)
  1  problems in the assets, or a failed apply/export
  2  usage or configuration error (options, credentials, server unreachable)
  3  diff only: there are changes
  4  apply PLAN only: the saved plan is stale (nothing was changed)
"""


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="superset-iac")
def main() -> None:
    """Apache Superset as code: validate, diff, apply and export."""


main.add_command(validate)
main.add_command(diff)
main.add_command(apply)
main.add_command(export)
main.add_command(convert)
main.add_command(graph)
main.add_command(schema)
