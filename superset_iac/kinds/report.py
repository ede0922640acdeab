"""Alerts and reports (``/api/v1/report/``, Superset's report schedules).

Reading: the list, ``ceil(schedules / 100)`` requests, always whole (the
list's ``name`` filter is Superset's all-text search, not a name match),
then ``GET report/<id>`` for each schedule the run compares: the list lacks
the recipients' addresses, the format, the alert's SQL and validator and the
timeouts. Chart, dashboard and database ids become the tree's names through
``ctx.ids`` (those kinds read first); a Slack recipient Superset has moved to
its v2 form names channel ids, which are read as they are.

The endpoint answers 404 while the ``ALERT_REPORTS`` feature flag is off: a
run whose tree has no report reads none there; one with reports stops with
that reason before anything is written (exit 2).

Writing: one POST or PUT with the whole schedule, recipients included
(Superset replaces them in the same transaction), ``creation_method``
``alerts_reports`` (the only one that keeps the recipients given: the chart
and dashboard methods replace them with the caller's address). A report
sends no ``database``, ``sql`` or validator (Superset refuses a database on
a report); a PUT that turns an alert into a report clears them.

Managed marker: no uuid, so the last line of ``description`` is
``superset-iac://report/<name>`` (``kinds.markers``); ``(name, type)`` is
unique in Superset, so a create lost on the way is found again by its marker.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from superset_iac.errors import ConfigError
from superset_iac.kinds import markers
from superset_iac.kinds.base import Context, ExportFlag
from superset_iac.kinds.rest import RestHandler, json_object
from superset_iac.model.base import Spec
from superset_iac.model.report import Alert, Recipients, Report, Threshold
from superset_iac.plan.model import LiveObject
from superset_iac.superset.errors import ApiError

_COLUMNS = ("id", "name", "type", "description", "active", "crontab", "timezone",
            "chart_id", "dashboard_id")
_SPLIT = re.compile(r"[,;]")


def addresses(text: Any) -> list[str]:
    """Superset's comma (or semicolon) separated targets as a list."""
    return [a.strip() for a in _SPLIT.split(text or "") if a.strip()]


class ReportHandler(RestHandler):
    spec_type = Report
    export_flag = ExportFlag("--reports", "Export alerts and reports (with the charts, "
                                          "dashboards and databases they name).")
    resource = "report"
    columns = _COLUMNS
    detailed = True

    def read_rows(self, ctx: Context) -> list[dict[str, Any]]:
        try:
            return ctx.client.list(self.resource, columns=list(self.columns))
        except ApiError as err:
            if err.status != 404:
                raise
        if ctx.desired_keys(self.kind):
            raise ConfigError("this Superset answers 404 on /api/v1/report/: its ALERT_REPORTS "
                              "feature flag is off, so the tree's reports cannot be applied")
        return []

    def keys(self, ctx: Context, rows: list[dict[str, Any]]) -> list[str]:
        """The name; an alert and a report may share one (unique per type)."""
        seen: set[str] = set()
        out = []
        for row in rows:
            key = row["name"] if row["name"] not in seen else f"{row['name']} [{row['type']}]"
            seen.add(key)
            out.append(key)
        return out

    def is_managed(self, row: dict[str, Any], key: str) -> bool:
        return markers.split_marker(self.kind, row.get("description"))[1] == key

    def detail(self, ctx: Context, object_id: Any) -> dict[str, Any]:
        return ctx.client.get_by_id(self.resource, object_id)

    def summary(self, row: dict[str, Any]) -> Spec:
        return Report.model_construct(
            name=row["name"], crontab=row.get("crontab") or "",
            timezone=row.get("timezone") or "UTC", active=bool(row.get("active")),
            description=markers.split_marker(self.kind, row.get("description"))[0],
            recipients=Recipients.model_construct(email=[], cc=[], bcc=[], slack=[]))

    def to_spec(self, ctx: Context, row: dict[str, Any], key: str | None = None) -> Report:
        chart, dashboard = row.get("chart") or {}, row.get("dashboard") or {}
        return Report.model_construct(
            name=row["name"],
            description=markers.split_marker(self.kind, row.get("description"))[0],
            chart=_name(ctx, "chart", chart, "slice_name"),
            dashboard=_name(ctx, "dashboard", dashboard, "dashboard_title"),
            crontab=row["crontab"], timezone=row.get("timezone") or "UTC",
            format=row.get("report_format") or "PNG", active=bool(row.get("active")),
            recipients=_recipients(row.get("recipients") or []),
            email_subject=row.get("email_subject") or None,
            working_timeout=row.get("working_timeout") or 3600,
            grace_period=row.get("grace_period") or 14400,
            log_retention=row.get("log_retention") or 90,
            force_screenshot=bool(row.get("force_screenshot")),
            alert=_alert(ctx, row) if row.get("type") == "Alert" else None)

    def to_payload(self, ctx: Context, spec: Spec, live: LiveObject | None = None) -> dict[str, Any]:
        assert isinstance(spec, Report)
        payload: dict[str, Any] = {
            "type": spec.superset_type, "name": spec.name,
            "description": markers.with_marker(self.kind, spec.description, spec.name),
            "crontab": spec.crontab.strip(), "timezone": spec.timezone,
            "report_format": spec.format, "active": spec.active,
            "creation_method": "alerts_reports",
            "chart": ctx.ids.id("chart", spec.chart) if spec.chart else None,
            "dashboard": ctx.ids.id("dashboard", spec.dashboard) if spec.dashboard else None,
            "recipients": recipients_payload(spec.recipients),
            "email_subject": spec.email_subject or None,
            "working_timeout": spec.working_timeout, "grace_period": spec.grace_period,
            "log_retention": spec.log_retention, "force_screenshot": spec.force_screenshot}
        if spec.alert is not None:
            payload.update(_alert_payload(ctx, spec.alert))
        elif live is not None:  # an alert made a report: what only alerts have goes
            payload.update({"database": None, "sql": None, "validator_type": None})
        return payload

    def create_payload(self, ctx: Context, spec: Spec) -> dict[str, Any]:
        """The schedule as it is: no uuid exists (the marker is in ``description``)."""
        return self.to_payload(ctx, spec)

    def landed(self, ctx: Context, key: str) -> Any:
        """The schedule a lost create made, by its marker."""
        for row in ctx.client.list(self.resource, columns=list(self.columns)):
            if self.is_managed(row, key):
                return row["id"]
        return None


def _name(ctx: Context, kind: str, obj: dict[str, Any], title: str) -> str | None:
    """The tree's key for a related object (its id as ``#id`` if not read)."""
    if not obj.get("id"):
        return None
    return ctx.ids.key(kind, obj["id"]) or obj.get(title) or f"#{obj['id']}"


def _recipients(rows: list[dict[str, Any]]) -> Recipients:
    out: dict[str, list[str]] = {"email": [], "cc": [], "bcc": [], "slack": []}
    for row in rows:
        config = json_object(row.get("recipient_config_json"))
        if row.get("type") == "Email":
            out["email"] += addresses(config.get("target"))
            out["cc"] += addresses(config.get("ccTarget"))
            out["bcc"] += addresses(config.get("bccTarget"))
        elif row.get("type") in ("Slack", "SlackV2"):
            out["slack"] += addresses(config.get("target"))
    return Recipients.model_construct(email=sorted(set(out["email"])), cc=sorted(set(out["cc"])),
                                      bcc=sorted(set(out["bcc"])), slack=sorted(set(out["slack"])))


def recipients_payload(recipients: Recipients) -> list[dict[str, Any]]:
    """One Email and one Slack recipient, each with its comma-separated targets."""
    out: list[dict[str, Any]] = []
    if recipients.email:
        config = {"target": ",".join(a.strip() for a in recipients.email)}
        for name, values in (("ccTarget", recipients.cc), ("bccTarget", recipients.bcc)):
            if values:
                config[name] = ",".join(a.strip() for a in values)
        out.append({"type": "Email", "recipient_config_json": config})
    if recipients.slack:
        channels = ",".join(c.strip().lstrip("#") for c in recipients.slack)
        out.append({"type": "Slack", "recipient_config_json": {"target": channels}})
    return out


def _alert(ctx: Context, row: dict[str, Any]) -> Alert:
    database = row.get("database") or {}
    config = json_object(row.get("validator_config_json"))
    condition: Threshold | Literal["not null"] = "not null"
    if row.get("validator_type") == "operator":
        condition = Threshold.model_construct(op=config.get("op") or "==",
                                              threshold=float(config.get("threshold") or 0))
    return Alert.model_construct(
        database=_name(ctx, "database", database, "database_name") or "",
        sql=row.get("sql") or "", condition=condition)


def _alert_payload(ctx: Context, alert: Alert) -> dict[str, Any]:
    condition = alert.condition
    if isinstance(condition, Threshold):
        validator = {"validator_type": "operator",
                     "validator_config_json": {"op": condition.op,
                                               "threshold": condition.threshold}}
    else:
        validator = {"validator_type": "not null", "validator_config_json": {}}
    return {"database": ctx.ids.id("database", alert.database), "sql": alert.sql.strip(),
            **validator}


HANDLER = ReportHandler()
