"""``superset-iac graph``: the tree's lineage, offline, as DOT, Mermaid or JSON.

``--plan FILE`` marks what a saved plan (``diff --out``) changes;
``--impact KIND/NAME`` lists everything downstream of one object instead
(as text, or JSON; DOT and Mermaid draw that part of the graph).
"""

from __future__ import annotations

import difflib
import json

import click

from superset_iac import workflow
from superset_iac.cli import saved_plans
from superset_iac.cli.output import handle_errors
from superset_iac.errors import AssetError, ConfigError
from superset_iac.exitcodes import ExitCode
from superset_iac.lineage import graph as lineage
from superset_iac.lineage.render import RENDER


@click.command()
@click.option("--assets", default="assets", show_default=True, envvar="SUPERSET_IAC_ASSETS",
              type=click.Path(file_okay=False), help="Asset tree directory.")
@click.option("--format", "fmt", type=click.Choice(sorted(RENDER)), default=None,
              help="Output format [default: dot; with --impact a list, as text].")
@click.option("--plan", "plan_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Mark what this saved plan (diff --out) creates, updates or deletes.")
@click.option("--impact", metavar="KIND/NAME",
              help="List everything downstream of this object (table/NAME for a warehouse table).")
@handle_errors
def graph(assets: str, fmt: str | None, plan_path: str | None, impact: str | None) -> ExitCode:
    """Draw what feeds what: warehouse tables, views, datasets, charts, dashboards,
    with the roles and RLS rules where they attach. Offline; reads only the tree."""
    the_graph = tree_graph(assets)
    marks = {}
    if plan_path is not None:
        marks = {f"{c['kind']}/{c['key']}": c["action"]
                 for c in saved_plans.read(plan_path).changes}
    if impact is None:
        click.echo(RENDER[fmt or "dot"](the_graph, marks))
        return ExitCode.OK
    ref = _node(the_graph, impact)
    reached = lineage.impact(the_graph, ref)
    if fmt in ("dot", "mermaid"):
        click.echo(RENDER[fmt](lineage.subgraph(the_graph, {ref, *reached}), marks))
    elif fmt == "json":
        click.echo(json.dumps({"object": ref, "downstream": [
            {"id": node, "via": via} for node, via in reached.items()]}, indent=2,
            ensure_ascii=False))
    else:
        click.echo(f"{len(reached)} object(s) downstream of {ref}")
        for node, via in reached.items():
            click.echo(f"  {node}  (via {via})")
    return ExitCode.OK


def tree_graph(assets: str) -> lineage.Graph:
    """The lineage of a valid tree (a broken one is reported like validate does)."""
    loaded = workflow.load(assets, None, connecting=False)
    diags = loaded.diagnostics
    if diags.has_errors():
        click.echo(diags.render_text(), err=True)
        raise AssetError(f"{len(diags.errors)} problem(s) in the assets")
    return lineage.build(loaded.tree)


def _node(the_graph: lineage.Graph, wanted: str) -> str:
    found = lineage.find(the_graph, wanted)
    if found is not None:
        return found
    close = difflib.get_close_matches(wanted, list(the_graph.nodes), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise ConfigError(f"--impact {wanted}: no such object in the tree{hint}")
