"""No secret reaches any output, in any mode of the CLI, errors included.

Known, distinctive secrets are put in the environment — the password of the
Superset account the tool signs in with (an Admin made for this module), a
database password inside a URI through ``${VAR}``, the masking salt (and a
rotated one), a service account's password, an access token — and the CLI
is run in every mode: validate, diff, apply, export, each as text and JSON,
then in error: a wrong password, a wrong token, an unreachable Superset, a
database whose connection fails, invalid assets, a missing variable. None of
the secrets may appear in stdout or stderr, in the JSON plans, in the audit
log, in the exported files, or in any Python log record (captured at DEBUG
from every logger while the commands run).

The tree is the module's own (unique names, its own copy of the lakehouse
file), so rotating the salt or failing a database touches nothing else on
the shared Superset.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import Result

from tests.integration.governance_helpers import run_cli

ENV = """\
name: secrets
superset:
  url: ${SUPERSET_URL}
  username: ${SUPERSET_USERNAME}
  password: ${SUPERSET_PASSWORD:-}
warehouse:
  type: duckdb
  path: ${SECRETS_LAKE}
  catalogs:
    hive_prod: lakehouse
  mask_salt: ${MASK_SALT}
audit_log: ${AUDIT_LOG}
secrets: [SECRETS_DB_PASSWORD]
path_variables: [SECRETS_LAKE]
allowed_hosts: [localhost]
"""
FILES = {
    "databases/lake.yaml": """\
name: secrets_lake_{u}
uri: duckdb:///${{SECRETS_LAKE}}?password=${{SECRETS_DB_PASSWORD}}
extra:
  engine_params:
    connect_args:
      read_only: true
""",
    "views/ticks.yaml": """\
name: hive_prod.option_ticks_db.v_secret_ticks_{u}
source: hive_prod.option_ticks_db.bronze_option_ticks
columns:
  - name: symbol
  - name: volume
  - name: trader_id
    mask: hash
raw_access_roles: [Admin]
""",
    "datasets/ticks.yaml": """\
name: secret_ticks_{u}
database: secrets_lake_{u}
schema: option_ticks_db
sql: SELECT symbol, volume, trader_id FROM option_ticks_db.v_secret_ticks_{u}
metrics:
  - name: total_volume
    expression: SUM(volume)
""",
    "charts/volume.yaml": """\
name: Secret volume {u}
dataset: secret_ticks_{u}
viz_type: table
params:
  query_mode: aggregate
  groupby: [symbol]
  metrics: [total_volume]
  row_limit: 10
""",
    "dashboards/board.yaml": """\
title: Secrets {u}
slug: secrets-{u}
roles: [secrets_role_{u}]
layout:
  - row:
      - chart: Secret volume {u}
        width: 12
        height: 40
""",
    "roles/role.yaml": """\
name: secrets_role_{u}
data_access:
  datasets: [secret_ticks_{u}]
""",
    "users/user.yaml": """\
username: secrets_user_{u}
first_name: Secret
last_name: User
email: secrets_user_{u}@example.com
roles: [secrets_role_{u}]
password: ${{SECRETS_USER_PASSWORD}}
""",
    "rls/rule.yaml": """\
name: secrets_rule_{u}
datasets: [secret_ticks_{u}]
roles: [secrets_role_{u}]
clause: symbol <> 'SPY'
""",
}
FAILING_DATABASE = """\
name: secrets_unreachable_{u}
uri: trino://svc:${{SECRETS_DB_PASSWORD}}@localhost:{port}/hive_prod?protocol=https
"""


# URIs that try to send a secret to a listener on 127.0.0.1, and the code
# that refuses each (environment 'secrets' allows only the host localhost).
EXFILTRATING = {
    "secret as the user name": ("trino://${{SECRETS_DB_PASSWORD}}@127.0.0.1:{port}/x", "S030"),
    "secret in the host": ("trino://svc@${{SECRETS_DB_PASSWORD}}.127.0.0.1.nip.io:{port}/x",
                           "S030"),
    "secret in another parameter": ("trino://svc@localhost:{port}/x?source=${{MASK_SALT}}",
                                    "S030"),
    "undeclared variable as password": (
        "trino://svc:${{SECRETS_USER_PASSWORD}}@localhost:{port}/x", "S031"),
    "declared secret to a host not allowed": (
        "trino://svc:${{SECRETS_DB_PASSWORD}}@127.0.0.1:{port}/x", "S033"),
    "unparseable port": ("trino://svc:${{SECRETS_DB_PASSWORD}}@localhost:{port}x/x", "S032"),
}


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection and byte."""

    def __init__(self) -> None:
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        import socket

        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            with conn:
                conn.settimeout(1)
                try:
                    self.received.append(conn.recv(65536))
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


class Capture(logging.Handler):
    """Every log record, formatted with its arguments and any traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@dataclass
class World:
    """The tree, the secrets, and every text the commands produced."""

    tree: Path
    env: dict[str, str | None] = field(repr=False)
    secrets: dict[str, str] = field(repr=False)
    audit: Path
    capture: Capture
    u: str
    outputs: list[tuple[str, str]] = field(default_factory=list)

    def run(self, label: str, *args: Any, env: dict[str, str | None] | None = None) -> Result:
        result = run_cli(*args, env={**self.env, **(env or {})})
        self.outputs.append((label, result.stdout + "\n" + result.stderr))
        assert "Traceback" not in result.output, result.output[-3000:]
        return result

    def leaks(self, texts: list[tuple[str, str]]) -> dict[str, list[str]]:
        """{secret name: [where it appeared]}; empty when nothing leaked."""
        found: dict[str, list[str]] = {}
        for name, value in self.secrets.items():
            for where, text in texts:
                if value in text or value[-16:] in text:
                    found.setdefault(name, []).append(where)
        return found

    def assert_clean(self, *labels: str) -> None:
        texts = [(w, t) for w, t in self.outputs if not labels or w in labels]
        assert texts, labels
        assert self.leaks(texts) == {}


def _admin_with_password(superset: Any, name: str, password: str) -> None:
    """A second Admin whose password is a distinctive secret (the fixture's is 'admin')."""
    sess = superset.session()
    roles = sess.get(f"{superset.url}/api/v1/security/roles/",
                     params={"q": "(filters:!((col:name,opr:eq,value:Admin)))"}).json()["result"]
    answer = sess.post(f"{superset.url}/api/v1/security/users/", json={
        "username": name, "password": password, "first_name": "S", "last_name": "A",
        "email": f"{name}@example.com", "active": True, "roles": [roles[0]["id"]]})
    assert answer.status_code == 201, answer.text[:300]


def _token(url: str, username: str, password: str) -> str:
    answer = requests.post(f"{url}/api/v1/security/login", timeout=60, json={
        "username": username, "password": password, "provider": "db"})
    answer.raise_for_status()
    return answer.json()["access_token"]


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def world(superset, lakehouse_path, tmp_path_factory) -> Iterator[World]:
    u = uuid.uuid4().hex[:8]
    home = tmp_path_factory.mktemp("secrets")
    lake = home / "lake" / "lakehouse.duckdb"  # the catalog is the file's name
    lake.parent.mkdir()
    shutil.copyfile(lakehouse_path, lake)
    tree = home / "assets"
    (tree / "environments").mkdir(parents=True)
    (tree / "environments" / "secrets.yaml").write_text(ENV)
    for path, text in FILES.items():
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_text(text.format(u=u))
    secrets = {name: f"Sx-{name}-{uuid.uuid4().hex}" for name in (
        "admin-password", "db-password", "mask-salt", "rotated-salt", "user-password",
        "wrong-password", "wrong-token")}
    admin = f"secrets_admin_{u}"
    _admin_with_password(superset, admin, secrets["admin-password"])
    secrets["access-token"] = _token(superset.url, admin, secrets["admin-password"])
    env: dict[str, str | None] = {
        "SUPERSET_URL": superset.url, "SUPERSET_USERNAME": admin,
        "SUPERSET_PASSWORD": secrets["admin-password"], "SECRETS_LAKE": str(lake),
        "SECRETS_DB_PASSWORD": secrets["db-password"], "MASK_SALT": secrets["mask-salt"],
        "SECRETS_USER_PASSWORD": secrets["user-password"], "AUDIT_LOG": str(home / "audit.jsonl")}
    capture = Capture()
    root = logging.getLogger()
    level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        yield World(tree, env, secrets, home / "audit.jsonl", capture, u)
    finally:
        root.removeHandler(capture)
        root.setLevel(level)


def test_validate_shows_no_secret(world):
    for fmt in ("text", "json"):
        for env_args in ((), ("--env", "secrets")):
            result = world.run(f"validate {fmt} {env_args}", "validate", "--assets", world.tree,
                               "--format", fmt, *env_args)
            assert result.exit_code == 0, result.output
    world.assert_clean()


def test_diff_and_apply_show_no_secret(world):
    plan = world.run("diff text", "diff", "--assets", world.tree, "--env", "secrets")
    assert plan.exit_code == 3, plan.output[-3000:]
    assert "XXXXXXXXXX" in plan.stdout and "(sensitive)" in plan.stdout  # URI and salt masked
    as_json = world.run("diff json", "diff", "--assets", world.tree, "--env", "secrets",
                        "--format", "json")
    assert as_json.exit_code == 3
    applied = world.run("apply text", "apply", "--assets", world.tree, "--env", "secrets", "--yes")
    assert applied.exit_code == 0, applied.output[-3000:]
    again = world.run("apply json", "apply", "--assets", world.tree, "--env", "secrets", "--yes",
                      "--format", "json")
    assert again.exit_code == 0 and '"changes": []' in again.stdout
    token = world.run("diff with a token", "diff", "--assets", world.tree, "--env", "secrets",
                      env={"SUPERSET_ACCESS_TOKEN": world.secrets["access-token"],
                           "SUPERSET_PASSWORD": None})
    assert token.exit_code == 0, token.output[-2000:]
    option = world.run("diff --password", "diff", "--assets", world.tree, "--env", "secrets",
                       "--password", world.secrets["admin-password"],
                       env={"SUPERSET_PASSWORD": None})
    assert option.exit_code == 0, option.output[-2000:]
    world.assert_clean("diff text", "diff json", "apply text", "apply json",
                       "diff with a token", "diff --password")


def test_a_users_password_variable_is_needed_only_to_create_it(world, tmp_path):
    existing = world.run("diff, users exist, no password variable", "diff", "--assets",
                         world.tree, "--env", "secrets", env={"SECRETS_USER_PASSWORD": None})
    assert existing.exit_code == 0, existing.output[-2000:]
    tree = tmp_path / "assets"
    shutil.copytree(world.tree, tree)
    (tree / "users" / "new.yaml").write_text(FILES["users/user.yaml"].format(u=world.u).replace(
        "secrets_user_", "secrets_new_user_"))
    new = world.run("diff, a new user, no password variable", "diff", "--assets", tree,
                    "--env", "secrets", env={"SECRETS_USER_PASSWORD": None})
    assert new.exit_code == 1, new.output[-2000:]
    assert "new.yaml:6:1: E001" in new.stderr and "SECRETS_USER_PASSWORD" in new.stderr
    world.assert_clean("diff, users exist, no password variable",
                       "diff, a new user, no password variable")


def test_a_rotated_salt_is_a_change_shown_as_sensitive(world):
    rotated = {"MASK_SALT": world.secrets["rotated-salt"]}
    diff = world.run("diff rotated salt", "diff", "--assets", world.tree, "--env", "secrets",
                     "--format", "json", env=rotated)
    assert diff.exit_code == 3
    assert '"sensitive": true' in diff.stdout and f"v_secret_ticks_{world.u}" in diff.stdout
    applied = world.run("apply rotated salt", "apply", "--assets", world.tree, "--env", "secrets",
                        "--yes", env=rotated)
    assert applied.exit_code == 0, applied.output[-2000:]
    world.assert_clean("diff rotated salt", "apply rotated salt")


def test_export_writes_variables_not_secrets(world, tmp_path):
    target = tmp_path / "exported"
    (target / "environments").mkdir(parents=True)
    shutil.copyfile(world.tree / "environments" / "secrets.yaml",
                    target / "environments" / "secrets.yaml")
    for fmt in ("text", "json"):
        result = world.run(f"export {fmt}", "export", "--assets", target, "--env", "secrets",
                           "--dashboard", f"secrets-{world.u}", "--roles", "--rls",
                           "--format", fmt)
        assert result.exit_code == 0, result.output[-3000:]
    files = {p.relative_to(target).as_posix(): p.read_text() for p in target.rglob("*.yaml")}
    database = files[f"databases/secrets_lake_{world.u}.yaml"]  # (--roles brings others' too)
    assert "${" in database and "?password=" in database  # a variable where the secret was
    assert any(f"secrets_user_{world.u}" in text or f"secrets_role_{world.u}" in text
               for text in files.values())
    world.outputs += [(f"exported {path}", text) for path, text in files.items()]
    world.assert_clean("export text", "export json", *(f"exported {p}" for p in files))


@pytest.mark.parametrize("case", ["wrong password", "wrong token", "unreachable Superset",
                                  "database that fails", "invalid assets", "missing variable"])
def test_errors_show_no_secret(world, tmp_path, case):
    tree: Path = world.tree
    env: dict[str, str | None] = {}
    expected = {"diff": 2, "apply": 2}
    if case == "wrong password":
        env = {"SUPERSET_PASSWORD": world.secrets["wrong-password"]}
    elif case == "wrong token":
        env = {"SUPERSET_ACCESS_TOKEN": world.secrets["wrong-token"], "SUPERSET_PASSWORD": None}
        # flask-jwt-extended answers a malformed or forged token 422, not 401;
        # still a credentials problem: exit 2 like a wrong password.
    elif case == "unreachable Superset":
        env = {"SUPERSET_URL": f"http://127.0.0.1:{_closed_port()}"}
    else:
        tree = tmp_path / "assets"
        shutil.copytree(world.tree, tree)
        expected = {"diff": 1, "apply": 1}
        if case == "database that fails":
            expected = {"diff": 3, "apply": 1}  # the plan is fine; the create fails
            (tree / "databases" / "unreachable.yaml").write_text(
                FAILING_DATABASE.format(u=world.u, port=_closed_port()))
        elif case == "invalid assets":
            (tree / "datasets" / "ticks.yaml").write_text(
                (tree / "datasets" / "ticks.yaml").read_text().replace(
                    "database: secrets_lake", "database: secrets_lakes"))
        else:
            env = {"SECRETS_DB_PASSWORD": None}
    labels = []
    for command in (("diff",), ("apply", "--yes"), ("diff", "--format", "json")):
        label = f"{case}: {' '.join(command)}"
        result = world.run(label, *command, "--assets", tree, "--env", "secrets", env=env)
        labels.append(label)
        assert result.exit_code == expected[command[0]], (label, result.output[-2000:])
        if result.exit_code != 3:
            assert result.stderr.strip(), label  # said why, on stderr
    if case in ("wrong password", "unreachable Superset"):
        label = f"{case}: export"
        result = world.run(label, "export", "--assets", tmp_path / "out", "--env", "secrets",
                           "--all", env=env)
        labels.append(label)
        assert result.exit_code == 2, result.output[-2000:]
    world.assert_clean(*labels)


def test_no_secret_in_the_audit_log_or_any_log_record(world):
    audit = world.audit.read_text()
    assert audit.count("\n") >= 4  # the applies above, failed ones included
    records = "\n".join(world.capture.lines)
    assert "/api/v1/security/login" in records  # the client's DEBUG lines were captured
    assert world.leaks([("audit log", audit), ("log records", records)]) == {}


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    try:
        yield found
    finally:
        found.close()


@pytest.mark.parametrize("case", sorted(EXFILTRATING))
def test_a_uri_that_would_send_a_secret_out_is_refused_and_nothing_is_sent(
        world, tmp_path, listener, case):
    template, code = EXFILTRATING[case]
    tree = tmp_path / "assets"
    shutil.copytree(world.tree, tree)
    (tree / "databases" / "exfiltrate.yaml").write_text(
        f"name: secrets_exfiltrate_{world.u}\nuri: {template.format(port=listener.port)}\n")
    labels = []
    for command in (("validate",), ("diff",), ("apply", "--yes"), ("diff", "--format", "json")):
        label = f"{case}: {' '.join(command)}"
        labels.append(label)
        result = world.run(label, *command, "--assets", tree, "--env", "secrets")
        assert result.exit_code == 1, (label, result.output[-2000:])
        assert "exfiltrate.yaml" in result.output and code in result.output, result.output
    assert listener.connections == 0 and listener.received == []
    world.assert_clean(*labels)
