"""``superset-iac export``: live Superset -> the asset tree, in the tool's own YAML."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable, Mapping, TypeVar

import click

from superset_iac import workflow
from superset_iac.cli.options import connection_options, format_option
from superset_iac.cli.output import handle_errors
from superset_iac.diagnostics import Diagnostics, Severity
from superset_iac.errors import AssetError, ConfigError
from superset_iac.exitcodes import ExitCode
from superset_iac.export import run
from superset_iac.export.select import Owners, Selection
from superset_iac.export.writer import ExportReport, FileAction
from superset_iac.kinds.base import Context
from superset_iac.kinds.registry import EXPORTED, handlers
from superset_iac.load.resolve import resolve_environment
from superset_iac.load.tree import AssetTree, load_tree
from superset_iac.model import KINDS
from superset_iac.model.environment import Environment

_MARK = {FileAction.CREATED: "+", FileAction.CHANGED: "~", FileAction.UNCHANGED: "="}
F = TypeVar("F", bound=Callable[..., object])
# the flag that selects every object of a kind (``Handler.export_flag``) -> the kind
_KIND_FLAGS = {h.export_flag.name: h.kind for h in handlers() if h.export_flag is not None}


def _kind_flags(command: F) -> F:
    """``--roles``, ``--rls``, …: one flag per kind whose handler has an
    ``export_flag``, in the registry's order, passed as ``kind_<kind>``."""
    for handler in reversed(handlers()):
        if handler.export_flag is not None:
            command = click.option(handler.export_flag.name, f"kind_{handler.kind}",
                                   is_flag=True, help=handler.export_flag.help)(command)
    return command


def _everything_help() -> str:
    kinds = [d for d, cls in KINDS.items() if cls.KIND in EXPORTED]
    return f"Export every object: {', '.join(kinds)}."


@click.command()
@click.option("--assets", default="assets", show_default=True, type=click.Path(file_okay=False),
              envvar="SUPERSET_IAC_ASSETS",
              help="Directory to write into; existing files are updated in place.")
@click.option("--env", "env_name", envvar="SUPERSET_IAC_ENV", default=None,
              help="Environment whose Superset to read.")
@format_option
@connection_options
@click.option("--dashboard", "dashboards", multiple=True,
              help="Dashboard slug, title or id to export, with what it uses (repeatable).")
@click.option("--tag", "tags", multiple=True, metavar="NAME",
              help="Export a custom tag with every dashboard, chart and saved query it tags, "
                   "and what they use (repeatable).")
@click.option("--all", "everything", is_flag=True, help=_everything_help())
@_kind_flags
@click.option("--owners", "owners", default="keep", show_default=True, metavar="keep|drop|map:FILE",
              help="Owners of datasets, charts and dashboards: as they are, none, or usernames "
                   "renamed by a YAML mapping (a user mapped to null is left out).")
@handle_errors
def export(assets: str, env_name: str | None, fmt: str, url: str | None, username: str | None,
           password: str | None, access_token: str | None, insecure: bool, timeout: float,
           concurrency: int, dashboards: tuple[str, ...], tags: tuple[str, ...], everything: bool,
           owners: str, **kind_flags: bool) -> ExitCode:
    """Bring what was built in the Superset UI into the asset tree.

    Objects already in the tree are found wherever their file is and updated
    in place; objects that did not change are left untouched, so running it
    twice changes nothing. Passwords are written as ${VAR} references.
    """
    kinds = tuple(name.removeprefix("kind_") for name, on in kind_flags.items() if on)
    selection = Selection(dashboards, everything, kinds, Owners.parse(owners), tags)
    if selection.empty:
        ways = ["--dashboard NAME", "--tag NAME", "--all", *_KIND_FLAGS]
        raise click.UsageError(f"say what to export: {', '.join(ways[:-1])} or {ways[-1]}")
    root = Path(assets)
    tree = _existing_tree(root)
    env = _environment(tree, env_name)
    unset = workflow.missing_login(tree.environments[env.name], os.environ) if env else {}
    client = workflow.connect(env, workflow.Connection(url, username, password, access_token,
                                                       insecure, timeout, concurrency,
                                                       unset_login=unset))
    report = run.export(Context(client=client, env=env), tree, root, selection)
    if fmt == "json":
        click.echo(json.dumps({**report.to_dict(), "requests": client.count()}, indent=2))
    else:
        click.echo(render(report, os.environ, env))
    return ExitCode.OK


def _existing_tree(root: Path) -> AssetTree:
    """What the target directory holds; a file that does not load stops the export.

    Unresolved references are fine (a partial tree is what export starts
    from); unreadable files are not: the object they hold could not be found
    and would be written a second time.
    """
    if not root.exists():
        return AssetTree(root)
    tree = load_tree(root)
    problems = tree.diagnostics
    if problems.has_errors():
        click.echo(problems.render_text(), err=True)
        raise AssetError(f"{len(problems.errors)} problem(s) in {root}; nothing was exported")
    return tree


def _environment(tree: AssetTree, env_name: str | None) -> Environment | None:
    if env_name is None:
        if tree.environments:
            # Without it, per-environment overrides and ${VAR}s could not be told
            # apart from changes, and the base values would be overwritten.
            raise click.UsageError(
                f"{tree.root} defines environments ({', '.join(sorted(tree.environments))}): "
                "say which one this Superset is with --env")
        return None
    env = tree.environments.get(env_name)
    if env is None:
        known = ", ".join(sorted(tree.environments)) or "none defined"
        raise ConfigError(f"unknown environment '{env_name}' in {tree.root}/environments "
                          f"(known: {known})")
    diags = Diagnostics()
    resolved = resolve_environment(env, os.environ, diags, Severity.WARNING)
    if len(diags):
        click.echo(diags.render_text(), err=True)
    return resolved


def render(report: ExportReport, environ: Mapping[str, str],
           env: Environment | None = None, title: str = "Export") -> str:
    """The export's summary. Only a variable that is not set is worth a
    "Set ..." line: one already set (LAKEHOUSE_PATH under ``make``) is not.
    A URI variable the environment does not declare gets a line saying where
    (``validate.uris`` would refuse the tree without it)."""
    lines = []
    for f in report.files:
        if f.action is not FileAction.UNCHANGED:
            lines.append(f"{_MARK[f.action]} {f.path}  ({', '.join(f.objects)})")
    c = report.counts()
    lines.append(f"{title}: {c['objects']} objects; {c['created']} files created, "
                 f"{c['changed']} changed, {c['unchanged']} unchanged.")
    declared = set(env.secrets) | set(env.path_variables) if env is not None else set()
    for name, refs in sorted(report.variables.items()):
        used = ", ".join(sorted(set(refs)))
        if env is not None and name not in declared:
            lines.append(f"Declare {name} under secrets: in environments/{env.name}.yaml "
                         f"(used by {used}).")
        if name not in environ:
            lines.append(f"Set {name} before diff/apply (used by {used}).")
    for missing in report.missing:
        lines.append(f"warning: {missing} is not on the server; the tree will not validate")
    for kind in report.unavailable:
        lines.append(f"warning: this build cannot read {kind} objects; none were exported")
    if report.comments_may_be_lost:
        lines.append("note: changed objects were rewritten; comments inside them are not kept.")
    return "\n".join(lines)
