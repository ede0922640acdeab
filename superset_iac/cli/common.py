"""Steps several commands share: load+validate, targets, connect, the terminal test."""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

import click

from superset_iac import workflow
from superset_iac.errors import AssetError, ConfigError
from superset_iac.kinds.base import Context
from superset_iac.plan.diff import KIND_ORDER
from superset_iac.plan.model import Plan

if TYPE_CHECKING:
    from superset_iac.warehouse import Warehouse


def load_valid(assets: str, env_name: str | None) -> workflow.Loaded:
    """Load for an environment; print diagnostics and stop if any is an error.

    Without ``--env`` the tree must have no environment files (it would be
    unclear which one is meant) and no views (they are created in an
    environment's warehouse); the connection then comes from the options
    and variables alone.
    """
    loaded = workflow.load(assets, env_name)
    if env_name is None:
        _check_no_environment_needed(loaded)
    if len(loaded.diagnostics):
        click.echo(loaded.diagnostics.render_text(), err=True)
    if loaded.diagnostics.has_errors():
        raise AssetError(f"{len(loaded.diagnostics.errors)} problem(s) in the assets; "
                         "nothing was changed")
    return loaded


def _check_no_environment_needed(loaded: workflow.Loaded) -> None:
    tree = loaded.tree
    if tree.environments:
        raise click.UsageError(
            f"{tree.root} defines environments ({', '.join(sorted(tree.environments))}): "
            "say which one with --env (or SUPERSET_IAC_ENV)")
    if tree.specs.get("view"):
        raise ConfigError(f"{tree.root} has views, which are created in an environment's "
                          "warehouse: define one in environments/ and pass --env")


def check_target_kinds(targets: Iterable[str]) -> None:
    """``--target`` is ``KIND`` or ``KIND/NAME`` with a known kind (checked before
    anything is loaded or sent: a typo must not turn into an empty plan)."""
    for target in targets:
        kind = target.split("/", 1)[0]
        if kind not in KIND_ORDER or target.endswith("/"):
            raise click.BadParameter(
                f"'{target}' is not KIND or KIND/NAME with KIND one of {', '.join(KIND_ORDER)}",
                param_hint="--target")


def check_targets_matched(targets: Iterable[str], loaded: workflow.Loaded, plan: Plan,
                          prune: bool) -> None:
    """Every ``KIND/NAME`` target names an object of the tree (or, with
    ``--prune``, a managed object to delete): otherwise CI would report
    success for a run that did nothing at all."""
    planned = {c.ref for c in plan.changes}
    for target in targets:
        if "/" not in target or target in planned:
            continue
        kind, key = target.split("/", 1)
        known = loaded.desired.get(kind, {})
        if key in known:
            continue
        close = difflib.get_close_matches(key, list(known), n=1)
        hint = f" (did you mean {kind}/{close[0]}?)" if close else ""
        where = "in the tree, nor a managed one to prune" if prune else "in the tree"
        raise ConfigError(f"--target {target}: there is no {kind} '{key}' {where}{hint}")


def context(loaded: workflow.Loaded, url: str | None, username: str | None,
            password: str | None, access_token: str | None, insecure: bool,
            timeout: float | None = None, concurrency: int | None = None) -> Context:
    conn = workflow.Connection(url, username, password, access_token, insecure, timeout,
                               concurrency, unset_login=loaded.missing_login)
    client = workflow.connect(loaded.env, conn)
    # Refuse a server this tool cannot manage before reading anything.
    for warning in client.check_supported():
        click.echo(f"warning: {warning}", err=True)
    base_url = url or (loaded.env.superset.url if loaded.env else "")
    return Context(client=client, env=loaded.env, url=base_url,
                   warehouse=_warehouse(loaded))


def stdin_is_terminal() -> bool:
    """Whether a person can answer a prompt: CI and pipes have no terminal on stdin."""
    isatty = getattr(sys.stdin, "isatty", None)
    return bool(isatty and isatty())


def _warehouse(loaded: workflow.Loaded) -> Warehouse | None:
    """The views' warehouse, only when the tree has views (it connects lazily)."""
    views = loaded.desired.get("view") or {}
    if not views or loaded.env is None:
        return None
    from superset_iac.warehouse import connect_warehouse

    return connect_warehouse(loaded.env, views.values())
