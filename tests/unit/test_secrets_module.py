"""superset_iac.secrets: URI slots, masking that never depends on parsing,
remembered values masked in text and in every log record."""

from __future__ import annotations

import logging

import pytest

from superset_iac import secrets
from superset_iac.secrets import (PASSWORD_MASK, masked_uri, redact, uri_host, uri_problem,
                                  uri_slots)


@pytest.fixture(autouse=True)
def fresh() -> None:
    secrets.forget_all()


@pytest.mark.parametrize("uri, parts", [
    ("trino://svc:${PW}@trino:8080/hive", [("PW", "password", True)]),
    ("trino://${USER}@trino/hive", [("USER", "user", False)]),
    ("trino://svc@${HOST}:443/x", [("HOST", "host", False)]),
    ("trino://svc@h:${PORT}/x", [("PORT", "port", False)]),
    ("duckdb:///${LAKE}?access_token=${TOK}&x=${X}",
     [("LAKE", "database", False), ("TOK", "query access_token", True), ("X", "query x", False)]),
    ("trino://svc:${PW:-a:b@c}@trino/x", [("PW", "password", True)]),
    ("trino://h/x?${KEY}=1", [("KEY", "query key", False)]),
    ("trino://svc:$${PW}@h/x", []),
])
def test_each_variable_is_placed_in_its_part(uri, parts) -> None:
    found = uri_slots(uri)
    assert found is not None
    assert [(s.variable, s.part, s.secret) for s in found] == parts
    for slot in found:
        assert uri[slot.offset:].startswith("${" + slot.variable)


def test_hosts_and_parse_problems() -> None:
    assert uri_host("trino://svc:p@Trino.Corp:443/x") == "trino.corp"
    assert uri_host("duckdb:///file.db") is None
    assert uri_problem("trino://svc:${PW}@trino:8080/x") is None
    assert "int" in (uri_problem("trino://svc:pw@trino:15x480/x") or "")
    assert uri_problem("not a uri") is not None


def test_an_unparseable_uri_is_masked_all_the_same() -> None:
    shown = masked_uri("trino://svc:hunter2-secret@trino:15x480/x?password=other-secret")
    assert "hunter2" not in shown and "other-secret" not in shown
    assert shown.count(PASSWORD_MASK) == 2


def test_a_remembered_value_is_masked_anywhere_in_a_uri_or_text() -> None:
    secrets.remember("s3cr3t-value-xyz", "short")
    assert "s3cr3t" not in masked_uri("trino://s3cr3t-value-xyz@h/x")
    assert redact("boom: s3cr3t-value-xyz and short") == "boom: *** and short"
    assert redact("dsn postgresql://u:pw123@db/x?token=abc") == (
        "dsn postgresql://u:***@db/x?token=***")


def test_every_log_record_is_redacted_from_any_logger(caplog) -> None:
    secrets.remember("log-secret-123456")
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("some.driver").debug("connecting with %s", "log-secret-123456")
    assert "log-secret" not in caplog.text and "connecting with ***" in caplog.text


def test_plans_their_json_and_the_audit_log_mask_remembered_values(tmp_path) -> None:
    from superset_iac import audit
    from superset_iac.plan.model import Action, Change, FieldChange, Plan
    from superset_iac.plan.render import plan_json, render_plan

    secrets.remember("plan-secret-98765")
    change = Change(action=Action.UPDATE, kind="database", key="wh", fields=[FieldChange(
        "extra", {"token": "plan-secret-98765"}, "x plan-secret-98765 y")])
    plan = Plan(changes=[change])
    assert "plan-secret" not in render_plan(plan) and "(sensitive)" in render_plan(plan)
    assert "plan-secret" not in plan_json(plan)
    log = tmp_path / "audit.jsonl"
    audit.append(log, {"plan": plan.to_dict(), "result": {"error": "bad plan-secret-98765"}})
    assert "plan-secret" not in log.read_text() and "***" in log.read_text()


PASSWORDS = ["Sx-plain-secret", "Sx-with:colon", "Sx-with/slash", "Sx-pct%41encoded",
             "Sx-with?query", "Sx-with#hash", "Sx-with space", "Sx-with&amp"]
SHAPES = ["trino://svc:{pw}@trino:8080/hive", "trino://svc:{pw}@trino:15x480/hive",
          "postgresql://u:{pw}@[::1]:5432/db?sslmode=require",
          "duckdb:///lake.db?password={pw}", "mysql://u@h/db?token={pw}&x=1",
          "not a uri but user:{pw}@host", "trino://svc:{pw}@trino:8080/hive?access_token={pw}"]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("password", PASSWORDS)
def test_no_password_survives_masking_whether_or_not_the_uri_parses(shape, password) -> None:
    uri = shape.format(pw=password)
    # In free text (redact) only scheme://user:password@ is a URI, and a space
    # ends a password (no URI has one unencoded); masked_uri knows it has a URI.
    in_text = "://" in uri and " " not in password
    for shown in (masked_uri(uri), *([redact(uri)] if in_text else [])):
        # What a URI parser or a reader would take as the password's text.
        assert password.split("#")[0].split("?")[0].split("&")[0] not in shown, shown
