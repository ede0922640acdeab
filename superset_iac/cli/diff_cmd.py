"""``superset-iac diff``: what apply would change, as a plan."""

from __future__ import annotations

import click

from superset_iac import workflow
from superset_iac.cli.common import check_target_kinds, check_targets_matched, context, load_valid
from superset_iac.cli.options import assets_options, connection_options, target_option
from superset_iac.cli.output import handle_errors, use_colour
from superset_iac.exitcodes import ExitCode
from superset_iac.plan.render import plan_json, render_plan


@click.command()
@assets_options
@connection_options
@target_option
@click.option("--rotate-passwords", "rotate", is_flag=True,
              help="Also show, as (sensitive), the password of every database whose "
                   "URI has one: Superset never returns it, so a change is otherwise unseen.")
@click.option("--prune", is_flag=True, help="Also show managed objects that would be deleted.")
@handle_errors
def diff(assets: str, env_name: str | None, fmt: str, url: str | None, username: str | None,
         password: str | None, access_token: str | None, insecure: bool, timeout: float,
         targets: tuple[str, ...], rotate: bool, prune: bool) -> ExitCode:
    """Compare the asset tree with a live Superset (exit 3 when they differ).

    Only reads: nothing is ever written, whatever the options.
    --rotate-passwords previews what apply --rotate-passwords would write.
    """
    check_target_kinds(targets)
    loaded = load_valid(assets, env_name)
    ctx = context(loaded, url, username, password, access_token, insecure, timeout)
    plan = workflow.diff(loaded, ctx, prune=prune, targets=targets, rotate=rotate)
    check_targets_matched(targets, loaded, plan, prune)
    click.echo(plan_json(plan) if fmt == "json" else render_plan(plan, use_colour()))
    return ExitCode.CHANGES if plan.has_changes else ExitCode.OK
