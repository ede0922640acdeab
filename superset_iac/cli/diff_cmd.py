"""``superset-iac diff``: what apply would change, as a plan."""

from __future__ import annotations

import json

import click

from superset_iac import workflow
from superset_iac.cli import saved_plans
from superset_iac.cli.common import (
    check_target_kinds,
    check_targets_matched,
    context,
    load_valid,
)
from superset_iac.cli.options import (
    connection_options,
    plan_assets_options,
    target_option,
)
from superset_iac.cli.output import handle_errors, use_colour
from superset_iac.exitcodes import ExitCode
from superset_iac.lineage import graph as lineage
from superset_iac.plan.markdown import render_markdown
from superset_iac.plan.model import Plan
from superset_iac.plan.render import plan_json, render_plan


@click.command()
@plan_assets_options
@connection_options
@target_option
@click.option("--rotate-passwords", "rotate", is_flag=True,
              help="Also show, as (sensitive), the password of every database whose "
                   "URI has one: Superset never returns it, so a change is otherwise unseen.")
@click.option("--prune", is_flag=True, help="Also show managed objects that would be deleted.")
@click.option("--out", "out", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also save the plan, with what it was computed from, for apply FILE "
                   "(no secret is written).")
@click.option("--impact", is_flag=True,
              help="Also list what lies downstream of each changed object (the tree's lineage, "
                   "as superset-iac graph --impact shows it).")
@handle_errors
def diff(assets: str, env_name: str | None, fmt: str, url: str | None, username: str | None,
         password: str | None, access_token: str | None, insecure: bool, timeout: float,
         concurrency: int, targets: tuple[str, ...], rotate: bool, prune: bool, out: str | None,
         impact: bool) -> ExitCode:
    """Compare the asset tree with a live Superset (exit 3 when they differ).

    Only reads: nothing is ever written, whatever the options.
    --rotate-passwords previews what apply --rotate-passwords would write.
    --out FILE saves the plan; apply FILE applies exactly it, or refuses (exit 4)
    when the tree or an object it touches changed since.
    """
    check_target_kinds(targets)
    loaded = load_valid(assets, env_name)
    ctx = context(loaded, url, username, password, access_token, insecure, timeout,
                  concurrency)
    plan = workflow.diff(loaded, ctx, prune=prune, targets=targets, rotate=rotate)
    check_targets_matched(targets, loaded, plan, prune)
    if out is not None:
        saved_plans.write(out, plan, saved_plans.origin(loaded, assets, url, prune=prune,
                                                        targets=targets, rotate=rotate))
    reach = lineage.plan_impact(lineage.build(loaded.tree), [c.ref for c in plan.changes]) \
        if impact else None
    click.echo(_rendered(plan, fmt, loaded.env.name if loaded.env else None, reach))
    return ExitCode.CHANGES if plan.has_changes else ExitCode.OK


def _rendered(plan: Plan, fmt: str, environment: str | None,
              reach: dict[str, list[str]] | None) -> str:
    if fmt == "json":
        if reach is None:
            return plan_json(plan)
        return json.dumps({**plan.to_dict(), "impact": reach}, indent=2, default=str)
    if fmt == "markdown":
        return render_markdown(plan, environment, reach).rstrip("\n")
    text = render_plan(plan, use_colour())
    return text if reach is None else "\n".join([text, *impact_lines(reach)])


def impact_lines(reach: dict[str, list[str]]) -> list[str]:
    lines = ["", "Impact (what lies downstream of each change):"]
    for ref, downstream in reach.items():
        lines.append(f"  {ref}: {', '.join(downstream) if downstream else 'nothing'}")
    return lines if reach else lines + ["  nothing changes"]
