"""``superset-iac apply``: make Superset match the asset tree."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from superset_iac import audit, workflow
from superset_iac.apply.engine import ApplyReport, Event, Outcome, apply_plan
from superset_iac.cli.common import context, load_valid
from superset_iac.cli.options import assets_options, connection_options, target_option
from superset_iac.cli.output import handle_errors, use_colour
from superset_iac.exitcodes import ExitCode
from superset_iac.kinds.base import Context
from superset_iac.kinds.registry import HANDLERS, handlers
from superset_iac.plan.model import Plan
from superset_iac.plan.render import render_plan

_MARK = {Outcome.CREATED: "+", Outcome.UPDATED: "~", Outcome.DELETED: "-",
         Outcome.FAILED: "!", Outcome.SKIPPED: "?"}


@click.command()
@assets_options
@connection_options
@target_option
@click.option("--prune", is_flag=True, help="Delete managed objects no longer in the tree.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@handle_errors
def apply(assets: str, env_name: str | None, fmt: str, url: str | None, username: str | None,
          password: str | None, access_token: str | None, insecure: bool,
          targets: tuple[str, ...], prune: bool, yes: bool) -> ExitCode:
    """Create, update (and with --prune delete) objects so Superset matches the tree."""
    loaded = load_valid(assets, env_name)
    ctx = context(loaded, url, username, password, access_token, insecure)
    plan = workflow.diff(loaded, ctx, prune=prune, targets=targets)
    text = fmt == "text"
    if text:
        click.echo(render_plan(plan, use_colour()))
    if not plan.has_changes:
        if not text:
            click.echo(json.dumps({"plan": plan.to_dict(), "events": []}, indent=2))
        _audit(loaded, ctx, assets, plan, ApplyReport(unchanged=plan.counts()["unchanged"]))
        return ExitCode.OK
    if not yes and sys.stdin.isatty() and text:
        click.confirm("Apply these changes?", abort=True)
    handlers()  # make sure every handler is registered
    report = apply_plan(plan, ctx, HANDLERS, on_event=_progress if text else lambda e: None)
    _audit(loaded, ctx, assets, plan, report)
    if text:
        counts = report.counts()
        click.echo("Apply: " + ", ".join(f"{n} {k}" for k, n in counts.items() if n) + ".")
    else:
        click.echo(json.dumps({"plan": plan.to_dict(), **report.to_dict()}, indent=2))
    return ExitCode.OK if report.ok else ExitCode.PROBLEMS


def _audit(loaded: workflow.Loaded, ctx: Context, assets: str, plan: Plan,
           report: ApplyReport) -> None:
    if loaded.env is None or not loaded.env.audit_log:
        return
    record = audit.build_record(env=loaded.env.name, url=ctx.options.get("url", ""),
                                assets=Path(assets), plan=plan.to_dict(),
                                result=report.to_dict(), ok=report.ok)
    audit.append(loaded.env.audit_log, record)


def _progress(event: Event) -> None:
    line = f"{_MARK[event.outcome]} {event.change.ref}: {event.outcome.value}"
    if event.message:
        line += f": {event.message}"
    click.echo(line, err=event.outcome in (Outcome.FAILED, Outcome.SKIPPED))
