"""``superset-iac export``: write live Superset objects as asset YAML."""

from __future__ import annotations

import click

from superset_iac.cli.options import connection_options, format_option
from superset_iac.cli.output import handle_errors
from superset_iac.errors import ConfigError
from superset_iac.exitcodes import ExitCode


@click.command()
@click.option("--assets", default="assets", show_default=True, type=click.Path(file_okay=False),
              help="Directory to write into; existing files are updated in place.")
@click.option("--env", "env_name", envvar="SUPERSET_IAC_ENV", default=None,
              help="Environment whose Superset to read.")
@format_option
@connection_options
@click.option("--dashboard", "dashboards", multiple=True,
              help="Dashboard slug, title or id to export, with what it uses (repeatable).")
@click.option("--all", "everything", is_flag=True, help="Export every object.")
@handle_errors
def export(assets: str, env_name: str | None, fmt: str, url: str | None, username: str | None,
           password: str | None, access_token: str | None, insecure: bool,
           dashboards: tuple[str, ...], everything: bool) -> ExitCode:
    """Bring what was built in the Superset UI into the asset tree."""
    raise ConfigError("export is not available in this build yet")
