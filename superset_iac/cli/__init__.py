"""The ``superset-iac`` command line: thin commands over ``workflow``."""

from __future__ import annotations

import importlib

import click

from superset_iac import __version__

# Each command's module, imported only when that command runs (or ``--help``
# lists it): ``--version`` needs none of them, ``validate`` no HTTP client.
COMMANDS = {"validate": "validate_cmd", "diff": "diff_cmd", "apply": "apply_cmd",
            "export": "export_cmd", "graph": "graph_cmd", "schema": "schema_cmd",
            "access": "access_cmd", "convert": "convert_cmd"}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context | None, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            module = importlib.import_module(f"superset_iac.cli.{COMMANDS[name]}")
            self.add_command(getattr(module, name), name)
        return super().get_command(ctx, name)  # type: ignore[arg-type]


EPILOG = """\b
Exit codes:
  0  success (diff: no changes)
  1  problems in the assets, or a failed apply/export
  2  usage or configuration error (options, credentials, server unreachable)
  3  diff only: there are changes
  4  apply PLAN only: the saved plan is stale (nothing was changed)
"""


@click.group(cls=LazyGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="superset-iac")
def main() -> None:
    """Apache Superset as code: validate, diff, apply and export."""
