"""The pipeline, without any CLI concerns:

    load -> validate -> resolve for an environment -> read live -> plan -> apply

Commands in ``cli/`` call these functions and only decide how to show the
result; tests call them directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from superset_iac.diagnostics import Diagnostics, Position, Severity
from superset_iac.errors import AssetError, ConfigError
from superset_iac.kinds.base import Context, Handler, Prefetching
from superset_iac.kinds.registry import handlers
from superset_iac.load.resolve import Desired, resolve, resolve_environment
from superset_iac.load.tree import AssetTree, load_tree
from superset_iac.model.environment import Environment, SupersetConnection
from superset_iac.model.refs import interpolate
from superset_iac.plan.diff import plan as make_plan
from superset_iac.plan.model import Action, LiveObject, Plan
from superset_iac.validate import validate_tree
from superset_iac.validate.index import link_views


@dataclass
class Connection:
    """Superset connection settings given on the command line or in variables."""

    url: str | None = None
    username: str | None = None
    password: str | None = None
    access_token: str | None = None
    insecure: bool = False
    timeout: float | None = None  # seconds per answer; None: the client's default
    concurrency: int | None = None  # requests in flight at once; None: the client's default
    # Login fields of the environment file whose variables are unset (see
    # ``Loaded.missing_login``): ``connect`` names them instead of logging in.
    unset_login: Mapping[str, list[str]] = field(default_factory=dict)


@dataclass
class Loaded:
    tree: AssetTree
    diagnostics: Diagnostics
    env: Environment | None = None
    desired: Desired = field(default_factory=dict)
    # Unset variables of the Superset login (username/password/token field ->
    # names), left to ``connect``: options may give them, and if not, one
    # line naming the variable beats a diagnostic about the assets.
    missing_login: dict[str, list[str]] = field(default_factory=dict)


def load(assets: str | Path, env_name: str | None,
         environ: Mapping[str, str] | None = None, *, connecting: bool = True) -> Loaded:
    """Load and validate the tree; resolve it for ``env_name`` if given.

    ``connecting=False`` (validate) reports missing connection variables as
    warnings only.
    """
    environ = os.environ if environ is None else environ
    tree = load_tree(assets)
    diags = validate_tree(tree)
    link_views(tree)
    loaded = Loaded(tree, diags)
    if env_name is None:
        if connecting and not tree.environments:
            # No environment to choose: the tree is applied as written, its
            # ${VAR}s from the process, the connection from options/variables.
            loaded.desired = resolve(tree, None, environ, diags)
        return loaded
    env = tree.environments.get(env_name)
    if env is None:
        known = ", ".join(sorted(tree.environments)) or "none defined"
        diags.add(Position(f"{assets}/environments"), "E002",
                  f"unknown environment '{env_name}' (known: {known})")
        return loaded
    severity = Severity.ERROR if connecting else Severity.WARNING
    found = Diagnostics()
    loaded.env = resolve_environment(env, environ, found, severity)
    if connecting:
        loaded.missing_login = missing_login(env, environ)
    login = {env.pos("superset", name) for name in loaded.missing_login}
    diags.extend(d for d in found if not (d.code == "E001" and d.pos in login))
    loaded.desired = resolve(tree, loaded.env, environ, diags)
    return loaded


_LOGIN = ("username", "password", "access_token")


def missing_login(env: Environment, environ: Mapping[str, str]) -> dict[str, list[str]]:
    """The login fields of ``env`` (unresolved) whose variables are unset, with their names."""
    fields = {name: getattr(env.superset, name) for name in _LOGIN}
    missing = {name: interpolate(value, environ)[1] for name, value in fields.items()
               if isinstance(value, str)}
    return {name: names for name, names in missing.items() if names}


def require_valid(loaded: Loaded) -> None:
    if loaded.diagnostics.has_errors():
        raise AssetError(f"{len(loaded.diagnostics.errors)} problem(s) in the assets")


def connect(env: Environment | None, given: Connection) -> Any:
    """A Superset client from options/variables first, then the environment file.

    Without a complete login it fails in one line before any request,
    naming the variables the environment file reads (``given.unset_login``).
    """
    from superset_iac.superset.client import DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT, SupersetClient, timeouts

    conf = env.superset if env else SupersetConnection(url="")
    url = given.url or conf.url
    if not url:
        raise ConfigError("no Superset URL: pass --url, set SUPERSET_URL, or choose --env")
    # A field whose variable is unset still holds its "${VAR}": not a value.
    conf = conf.model_copy(update={name: None for name in given.unset_login})
    token = given.access_token or conf.access_token
    username = given.username or conf.username
    password = given.password or conf.password
    if not token and not (username and password):
        raise ConfigError(_no_login(url, username, given.unset_login))
    verify: bool | str = conf.ca_bundle or conf.verify_tls
    if given.insecure:
        verify = False
    return SupersetClient(url, username=username, password=password, access_token=token,
                          provider=conf.provider, verify=verify,
                          timeout=timeouts(given.timeout or DEFAULT_TIMEOUT),
                          concurrency=given.concurrency or DEFAULT_CONCURRENCY)


def _no_login(url: str, username: str | None, missing: Mapping[str, list[str]]) -> str:
    """``SUPERSET_PASSWORD is not set: …`` (the variables the environment names, else the usual)."""
    lacking = ["password"] if username else ["username", "password"]
    names = [n for f in lacking for n in missing.get(f, [])] or \
        [f"SUPERSET_{f.upper()}" for f in lacking]
    who = f" as '{username}'" if username else ""
    verb = "is" if len(names) == 1 else "are"
    return (f"{' and '.join(names)} {verb} not set: no {' and '.join(lacking)} to log in to "
            f"{url}{who}; set {'it' if len(names) == 1 else 'them'}, or SUPERSET_ACCESS_TOKEN")


def read_live(ctx: Context, kinds: list[Handler] | None = None) -> dict[str, dict[str, LiveObject]]:
    """Read every kind in dependency order, so ids resolve to names.

    With a client that sends several requests at once, the reads that depend
    on no other kind's (the kinds' list rows) go first, side by side; what
    is left of each read (details, names resolved through the kinds before
    it) then runs kind by kind. With ``concurrency`` 1 each kind is read
    whole before the next, one request after another.
    """
    live: dict[str, dict[str, LiveObject]] = {}
    ctx.live = live
    chosen = kinds if kinds is not None else handlers()
    ahead = [h for h in chosen if isinstance(h, Prefetching)]
    if len(ahead) > 1 and ctx.client.concurrency > 1:
        ctx.client.concurrently(lambda h: h.prefetch(ctx), ahead)
    for handler in chosen:
        live[handler.kind] = handler.read(ctx)
    return live


def diff(loaded: Loaded, ctx: Context, *, prune: bool = False,
         targets: tuple[str, ...] = (), rotate: bool = False) -> Plan:
    """The plan for ``loaded``; ``rotate`` (``--rotate-passwords``) adds the
    write-only secrets of every existing object (see ``plan.diff.plan``)."""
    ctx.desired = loaded.desired
    ctx.filtered = not prune
    kinds = _kinds_to_read(loaded.desired)
    live = read_live(ctx, [h for h in handlers() if h.kind in kinds or prune])
    result = make_plan(loaded.desired, live, prune=prune, targets=targets, rotate=rotate)
    _require_create_passwords(loaded, result)
    return result


def _require_create_passwords(loaded: Loaded, result: Plan) -> None:
    """A user's ``password: ${VAR}`` is needed only to create the user
    (``Spec.missing_for_create``): refuse the plan (E001 at the line, nothing
    sent) only when such a create is in it."""
    found = Diagnostics()
    for change in result.changes:
        if change.action is Action.CREATE and change.desired is not None:
            for path, name in change.desired.missing_for_create():
                found.add(change.desired.pos(*path), "E001",
                          f"{change.desired.ref}: environment variable {name} is not set "
                          f"(needed to create the {change.desired.KIND})")
    if found.has_errors():
        loaded.diagnostics.extend(found.items)
        raise AssetError(found.render_text() + f"\n{len(found.errors)} problem(s) in the "
                         "assets; nothing was changed")


def _kinds_to_read(desired: Desired) -> set[str]:
    """The tree's kinds and the kinds its objects name: a user, dashboard or RLS
    rule may name a built-in role the tree does not declare, whose id only the
    roles' read can tell."""
    kinds = {kind for kind, specs in desired.items() if specs}
    return kinds | {ref.kind for specs in desired.values() for spec in specs.values()
                    for ref in spec.refs()}
