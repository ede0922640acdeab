"""Environments and secrets: names that match files, overrides for real
environments, and no password, token or salt written in clear."""

from __future__ import annotations

import re
from pathlib import Path

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.schema import did_you_mean
from superset_iac.load.tree import AssetTree
from superset_iac.model.base import Spec
from superset_iac.model.database import Database
from superset_iac.model.environment import Environment
from superset_iac.model.refs import variables_in
from superset_iac.model.user import User
from superset_iac.secrets import uri_passwords
from superset_iac.validate.codes import add

_VARIABLES = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}")


def check(tree: AssetTree, diags: Diagnostics) -> None:
    for env in tree.environments.values():
        _environment(env, diags)
    for db in tree.each(Database):
        _database(db, tree, diags)
    for user in tree.each(User):
        if user.password is not None:
            _secret(user, ("password",), user.password, diags)


def _environment(env: Environment, diags: Diagnostics) -> None:
    stem = Path(env.file).stem
    if env.file != "<generated>" and stem != env.name:
        add(diags, env.pos("name"), "S018",
            f"environment '{env.name}' is in {Path(env.file).name}: --env finds it by name, "
            f"so name the file {env.name}.yaml (or the environment '{stem}')")
    secrets = [(("superset", "password"), env.superset.password),
               (("superset", "access_token"), env.superset.access_token)]
    if env.warehouse is not None:
        secrets += [(("warehouse", "password"), env.warehouse.password),
                    (("warehouse", "jwt_token"), env.warehouse.jwt_token),
                    (("warehouse", "mask_salt"), env.warehouse.mask_salt)]
    for path, value in secrets:
        if value is not None:
            _secret(env, path, value, diags)


def _database(db: Database, tree: AssetTree, diags: Diagnostics) -> None:
    _uri_password(db, ("uri",), db.uri, diags)
    for name, override in db.environments.items():
        if name not in tree.environments:
            add(diags, db.pos("environments", name), "S019",
                f"{db.ref}: environment '{name}' is not defined in environments/"
                f"{did_you_mean(name, tree.environments)}")
        if override.uri is not None:
            _uri_password(db, ("environments", name, "uri"), override.uri, diags)


def _uri_password(spec: Spec, path: tuple, uri: str, diags: Diagnostics) -> None:
    for password in uri_passwords(uri)[:1]:  # one report per URI
        _secret(spec, path, password, diags, "the password in this URI")


def _secret(spec: Spec, path: tuple, value: str, diags: Diagnostics, what: str = "") -> None:
    """A secret must be only ``${VAR}`` references: git never holds the value."""
    if variables_in(value) and not _VARIABLES.sub("", value):
        return
    label = what or ".".join(str(p) for p in path)
    add(diags, spec.pos(*path), "S020",
        f"{spec.ref}: {label} is written in clear; use ${{VAR}} and set the variable")
