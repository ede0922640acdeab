"""Resolve a loaded tree for one environment: overrides and ``${VAR}`` values.

The result is the desired state that plan and apply compare with the server.
Variables are read only here, so a missing one is reported once, with the
line that needs it, before anything is sent anywhere.

Secrets. A database URI is filled only from the variables its environment
declares (``secrets``, ``path_variables``; ``validate.uris`` reports any
other), and every value that fills a secret (a URI password, the Superset and
warehouse credentials, the salt, a user's password) is remembered by
``superset_iac.secrets`` so that no output, audit record or log line shows it.

A user's password is needed only to create the user: a missing variable is
not an error here but is kept on the spec (``User.unset``), and the plan
refuses only a *create* of such a user (``workflow.diff``).

What each kind fills is its spec's ``resolved`` hook (``Database.resolved``,
``View.resolved``, ``User.resolved``); this module only walks the tree.
"""

from __future__ import annotations

from typing import Mapping

from superset_iac import secrets
from superset_iac.diagnostics import Diagnostics, Severity
from superset_iac.load.tree import AssetTree
from superset_iac.model.base import Spec
from superset_iac.model.environment import Environment
from superset_iac.model.refs import interpolate

Desired = dict[str, dict[str, Spec]]


def resolve(tree: AssetTree, env: Environment | None, environ: Mapping[str, str],
            diags: Diagnostics) -> Desired:
    desired: Desired = {}
    for kind, specs in tree.specs.items():
        desired[kind] = {key: spec.resolved(env, environ, diags) for key, spec in specs.items()}
    return desired


def resolve_environment(env: Environment, environ: Mapping[str, str], diags: Diagnostics,
                        severity: Severity = Severity.ERROR) -> Environment:
    """The environment with every ``${VAR}`` in its connection settings filled.

    ``validate`` passes ``Severity.WARNING``: it never connects, so a missing
    connection variable is worth a mention, not a failure.
    """
    data = env.model_dump(by_alias=True, exclude_unset=True)  # as written: no null added

    def fill(node: object, path: tuple) -> object:
        if isinstance(node, dict):
            return {k: fill(v, path + (k,)) for k, v in node.items()}
        if isinstance(node, list):
            return [fill(v, path + (i,)) for i, v in enumerate(node)]
        if isinstance(node, str):
            value, missing = interpolate(node, environ)
            for name in missing:
                diags.add(env.pos(*path), "E001",
                          f"environment '{env.name}': variable {name} is not set", severity)
            return value
        return node

    resolved = Environment.model_validate(fill(data, ()))
    resolved._doc, resolved._path = env._doc, env._path
    _remember_credentials(resolved)
    return resolved


def _remember_credentials(env: Environment) -> None:
    secrets.remember(env.superset.password, env.superset.access_token)
    if env.warehouse is not None:
        secrets.remember(env.warehouse.password, env.warehouse.jwt_token, env.warehouse.mask_salt)
