"""Reports and alerts, beyond what a report checks of itself (``Report.findings``:
its cron fields, time zone and recipients' form, S050-S052):

* S053 a recipient the environment does not allow. A report sends a chart's
  data to whoever it names, and a pull request can name anyone: every
  address's domain must be in the environment's ``recipient_domains`` and
  every Slack channel in its ``slack_channels``, which live in the
  environment files (the runner's configuration, reviewed apart, like
  ``allowed_hosts``). An environment that lists none allows none.
* S054 (warning) a tree with no environment file, whose recipients no
  allow-list checks;
* an alert's ``sql``: one read-only query (Q001-Q003), within the free-SQL
  sandbox (Q010/Q011), selecting one column (Q020: Superset refuses more at
  every run, so the alert would never fire).
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.tree import AssetTree
from superset_iac.model.environment import Environment
from superset_iac.model.report import EMAIL, SLACK_CHANNEL, Report
from superset_iac.validate import sandbox, sql
from superset_iac.validate.codes import add
from superset_iac.validate.index import index
from superset_iac.validate.uris import host_allowed


def check(tree: AssetTree, diags: Diagnostics) -> None:
    reports = list(tree.each(Report))
    for report in reports:
        _recipients(report, list(tree.environments.values()), diags)
        if report.alert is not None:
            _alert_sql(tree, report, diags)
    if reports and not tree.environments:
        first = reports[0]
        add(diags, first.pos("recipients"), "S054",
            f"{first.ref}: no environment file, so no recipient_domains or slack_channels "
            "check the recipients of this tree's reports")


def _recipients(report: Report, envs: list[Environment], diags: Diagnostics) -> None:
    for field, i, address in report.recipients.addresses():
        pos = report.pos("recipients", field, i)
        if not EMAIL.match(address.strip()):
            continue  # S052 (Report.findings)
        domain = address.strip().rpartition("@")[2]
        for env in envs:
            if env.recipient_domains is None or not host_allowed(domain, env.recipient_domains):
                add(diags, pos, "S053",
                    f"{report.ref}: {address} is at {domain}, not among the recipient_domains "
                    f"of environment '{env.name}' ({_listed(env.recipient_domains)})")
    for i, channel in enumerate(report.recipients.slack):
        pos = report.pos("recipients", "slack", i)
        if not SLACK_CHANNEL.match(channel.strip()):
            continue  # S052 (Report.findings)
        name = channel.strip().lstrip("#")
        for env in envs:
            allowed = {c.lstrip("#") for c in env.slack_channels or []}
            if name not in allowed:
                add(diags, pos, "S053",
                    f"{report.ref}: Slack channel {name} is not among the slack_channels of "
                    f"environment '{env.name}' ({_listed(env.slack_channels)})")


def _listed(values: list[str] | None) -> str:
    return ", ".join(values) if values else "none"


def _alert_sql(tree: AssetTree, report: Report, diags: Diagnostics) -> None:
    assert report.alert is not None
    idx = index(tree)
    path = ("alert", "sql")
    before = len(diags)
    sql.query(idx, report, path, report.alert.sql, diags)
    if len(diags) > before:
        return
    sandbox.check_text(idx, report, path, report.alert.sql, True, diags)
    query = idx.parsed(report.alert.sql, True).statements[0]
    columns = _columns(query)
    if columns is not None and columns != 1:
        add(diags, report.text_pos(path), "Q020",
            f"{report.ref}: the alert's SQL selects {columns} columns; Superset compares one "
            "value and refuses more at every run")


def _columns(query: exp.Expression | None) -> int | None:
    """How many columns ``query`` returns, when that is known offline."""
    node: Any = query
    while isinstance(node, (exp.SetOperation, exp.Subquery)):
        node = node.this if isinstance(node, exp.Subquery) else node.left
    if not isinstance(node, exp.Select):
        return None
    if any(isinstance(e, exp.Star) or (isinstance(e, exp.Column) and e.is_star)
           for e in node.expressions):
        return None
    return len(node.expressions)
