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
"""

from __future__ import annotations

from typing import AbstractSet as Set
from typing import Mapping

from superset_iac import secrets
from superset_iac.diagnostics import Diagnostics, Severity
from superset_iac.load.tree import AssetTree
from superset_iac.model.base import Spec
from superset_iac.model.database import Database
from superset_iac.model.environment import Environment
from superset_iac.model.refs import interpolate, variables_in
from superset_iac.model.user import User
from superset_iac.model.view import View
from superset_iac.model.view_target import Target

Desired = dict[str, dict[str, Spec]]


def resolve(tree: AssetTree, env: Environment | None, environ: Mapping[str, str],
            diags: Diagnostics) -> Desired:
    desired: Desired = {}
    for kind, specs in tree.specs.items():
        desired[kind] = {key: _resolve_spec(spec, env, environ, diags)
                         for key, spec in specs.items()}
    return desired


def _resolve_spec(spec: Spec, env: Environment | None, environ: Mapping[str, str],
                  diags: Diagnostics) -> Spec:
    if isinstance(spec, Database):
        db = spec.for_environment(env.name) if env is not None else spec
        override = spec.environments.get(env.name) if env is not None else None
        where: tuple[str, ...] = ("uri",)
        if env is not None and override is not None and override.uri is not None:
            where = ("environments", env.name, "uri")
        names = _declared(env, db.uri)
        value = _value(db, where, db.uri, {k: v for k, v in environ.items() if k in names},
                       diags, unreported=set(variables_in(db.uri)) - names)
        _remember_uri_secrets(db.uri, env, environ)
        return _with(db, "uri", value)
    if isinstance(spec, View) and env is not None and env.warehouse is not None:
        # Views compare as SQL in the warehouse's dialect, salt included.
        return spec.for_target(Target.of(env.warehouse))
    if isinstance(spec, User) and spec.password is not None:
        value, missing = interpolate(spec.password, environ)
        user = _with(spec, "password", value)
        assert isinstance(user, User)
        user._unset = tuple(missing)
        secrets.remember(value if not missing else None)
        return user
    return spec


def _declared(env: Environment | None, uri: str) -> set[str]:
    """The variables a URI may be filled from: those the environment declares
    (all of them for a tree without environments, see ``validate.uris``)."""
    if env is None:
        return set(variables_in(uri))
    return set(env.secrets) | set(env.path_variables)


def _remember_uri_secrets(uri: str, env: Environment | None, environ: Mapping[str, str]) -> None:
    """Every value a URI takes from a variable is a secret, but a declared path."""
    paths = set(env.path_variables) if env is not None else set()
    for slot in secrets.uri_slots(uri) or []:
        if slot.variable not in paths or slot.part != "database":
            secrets.remember(environ.get(slot.variable))


def _with(spec: Spec, field: str, value: str) -> Spec:
    copy = spec.model_copy(update={field: value})
    copy._doc, copy._path = spec._doc, spec._path
    return copy


def _value(spec: Spec, where: tuple[str, ...], text: str, environ: Mapping[str, str],
           diags: Diagnostics, unreported: Set[str] = frozenset()) -> str:
    """``text`` with its variables filled; each missing one reported at ``where``
    (an undeclared one is left as written: ``validate.uris`` reports it)."""
    value, missing = interpolate(text, environ)
    for name in (m for m in missing if m not in unreported):
        diags.add(spec.pos(*where), "E001",
                  f"{spec.ref}: environment variable {name} is not set")
    return value


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
