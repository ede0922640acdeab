"""``superset-iac apply``: make Superset match the asset tree.

Output: the plan and the closing summary on stdout (or one JSON document
with ``--format json``); progress, one line per change as it happens, and
the recap of failures on stderr (see ``apply/progress.py``).

Saved plans: ``apply PLAN`` applies exactly a plan written by ``diff --out``
(its options, environment and tree), or refuses with exit 4 naming what moved
since (``cli/saved_plans.py``, ``plan/saved.py``).

Confirmation: with a terminal on stdin the plan is shown and apply asks
before writing anything, unless ``--yes``. Without one (CI, a pipe) it does
not ask: CI runs ``apply --yes`` or simply ``apply``, and a job that waited
for an answer nobody can give would hang until its timeout.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from superset_iac import audit, workflow
from superset_iac.apply.engine import ApplyReport, apply_plan
from superset_iac.apply.progress import Progress, failure_lines, summary_line
from superset_iac.cli import saved_plans
from superset_iac.cli.common import (
    check_target_kinds,
    check_targets_matched,
    context,
    load_valid,
    stdin_is_terminal,
)
from superset_iac.cli.options import (
    connection_options,
    plan_assets_options,
    target_option,
)
from superset_iac.cli.output import error, handle_errors, use_colour
from superset_iac.errors import ApplyFailed, IacError
from superset_iac.exitcodes import ExitCode
from superset_iac.kinds.base import Context
from superset_iac.kinds.registry import HANDLERS
from superset_iac.plan.markdown import render_apply_markdown
from superset_iac.plan.model import Plan
from superset_iac.plan.render import render_plan
from superset_iac.plan.saved import Origin


@click.command()
@click.argument("plan_path", metavar="[PLAN]", required=False,
                type=click.Path(dir_okay=False))
@plan_assets_options
@connection_options
@target_option
@click.option("--rotate-passwords", "rotate", is_flag=True,
              help="Also write the password of every database whose URI has one: Superset "
                   "never returns it, so a change is otherwise not applied.")
@click.option("--prune", is_flag=True, help="Delete managed objects no longer in the tree.")
@click.option("--yes", "-y", is_flag=True,
              help="Do not ask for confirmation (it is only asked on a terminal).")
@handle_errors
def apply(plan_path: str | None, assets: str, env_name: str | None, fmt: str, url: str | None,
          username: str | None, password: str | None, access_token: str | None, insecure: bool,
          timeout: float, concurrency: int,
          targets: tuple[str, ...], rotate: bool, prune: bool, yes: bool) -> ExitCode:
    """Create, update (and with --prune delete) objects so Superset matches the tree.

    On a terminal it shows the plan and asks first, unless --yes; without a
    terminal (CI) it does not ask. Progress goes to stderr.
    --rotate-passwords also sends every database password of the tree (or of
    --target); Superset tests each connection first and keeps the old one on failure.

    PLAN, a file written by diff --out, is applied exactly, with the options it
    was made with; when the tree or an object it touches changed since, apply
    refuses (exit 4) and names what moved.
    """
    check_target_kinds(targets)
    saved = None
    if plan_path is not None:
        saved = saved_plans.ForApply.open(plan_path, targets, prune, rotate)
        assets, env_name = _saved_location(saved.file.origin, assets, env_name)
        targets, prune, rotate = saved.options
        saved.check_before_loading(assets, env_name)
    loaded = load_valid(assets, env_name)
    try:  # refused login, unreachable server, broken warehouse: an attempt on record too
        if saved is not None:
            saved.check_origin(loaded, assets, url)
        ctx = context(loaded, url, username, password, access_token, insecure, timeout,
                      concurrency)
        plan = workflow.diff(loaded, ctx, prune=prune, targets=targets, rotate=rotate)
        if saved is not None:
            plan = saved.exactly(plan)
    except IacError as err:
        _audit(loaded, url or (loaded.env.superset.url if loaded.env else ""), assets,
               None, None, err)
        raise
    where = ctx.url
    check_targets_matched(targets, loaded, plan, prune)
    text = fmt == "text"
    if text:
        click.echo(render_plan(plan, use_colour()))
    if not plan.has_changes:
        nothing = ApplyReport(unchanged=plan.counts()["unchanged"])
        if fmt == "json":
            click.echo(json.dumps({"plan": plan.to_dict(), "events": []}, indent=2))
        elif fmt == "markdown":
            _report(plan, nothing, 0.0, fmt, loaded)
        _audit(loaded, where, assets, plan, nothing)
        return ExitCode.OK
    if not yes and stdin_is_terminal() and not _confirmed(plan, text):
        error("apply cancelled: nothing was changed")
        return ExitCode.PROBLEMS
    try:
        report, seconds = _run(plan, ctx)
    except IacError as err:  # interrupted: what was written must still be on record
        _audit(loaded, where, assets, plan, None, err)
        raise
    _audit(loaded, where, assets, plan, report)
    _report(plan, report, seconds, fmt, loaded)
    return ExitCode.OK if report.ok else ExitCode.PROBLEMS


def _saved_location(origin: Origin, assets: str,
                    env_name: str | None) -> tuple[str, str | None]:
    """The tree and environment of a saved plan, unless given on the command
    line (a different one is then refused as stale, by name)."""
    ctx = click.get_current_context()
    given = ctx.get_parameter_source("assets") not in (click.core.ParameterSource.DEFAULT, None)
    return (assets if given else origin.assets,
            env_name if env_name is not None else origin.environment)


def _confirmed(plan: Plan, text: bool) -> bool:
    """Ask on stderr, so that stdout holds only the result (JSON stays JSON)."""
    if not text:  # the plan went out as nothing yet: show what is being confirmed
        click.echo(render_plan(plan, use_colour(sys.stderr)), err=True)
    try:
        return click.confirm("Apply these changes?", default=False, err=True)
    except click.Abort:  # end of input or Ctrl-C at the prompt
        click.echo("", err=True)
        return False


def _run(plan: Plan, ctx: Context) -> tuple[ApplyReport, float]:
    progress = Progress(len(plan.changes), use_colour(sys.stderr))
    progress.start()
    started = time.monotonic()
    try:
        report = apply_plan(plan, ctx, HANDLERS, on_event=progress)
    except KeyboardInterrupt:
        raise ApplyFailed(f"interrupted after {progress.done} of {progress.total} changes; "
                          "run apply again to finish (it converges, nothing is created twice)"
                          ) from None
    return report, time.monotonic() - started


def _report(plan: Plan, report: ApplyReport, seconds: float, fmt: str,
            loaded: workflow.Loaded) -> None:
    if fmt == "text":
        click.echo(summary_line(report, seconds))
    elif fmt == "markdown":
        data = report.to_dict()
        click.echo(render_apply_markdown(plan, data["events"], data["summary"],
                                         loaded.env.name if loaded.env else None).rstrip("\n"))
    else:
        click.echo(json.dumps({"plan": plan.to_dict(), **report.to_dict(),
                               "seconds": round(seconds, 3)}, indent=2))
    lines = failure_lines(report)
    if lines:
        error(lines[0])
        for line in lines[1:]:
            click.echo(line, err=True)


def _audit(loaded: workflow.Loaded, url: str, assets: str, plan: Plan | None,
           report: ApplyReport | None, failure: IacError | None = None) -> None:
    """One record per apply that reached the server; ``failure`` when it stopped early."""
    if loaded.env is None or not loaded.env.audit_log:
        return
    result = report.to_dict() if report is not None else {"error": str(failure)}
    record = audit.build_record(env=loaded.env.name, url=url,
                                assets=Path(assets), plan=plan.to_dict() if plan else None,
                                result=result, ok=report is not None and report.ok)
    audit.append(loaded.env.audit_log, record)

