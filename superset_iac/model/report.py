"""A report or an alert: a schedule that sends a chart or a dashboard.

One kind for both, as Superset has one table (``report_schedule``) for them:
a spec with an ``alert`` block is an alert (Superset type ``Alert``: its
``sql`` runs on ``database`` at every tick and the content is sent only when
the value meets ``condition``), one without is a report (type ``Report``:
sent at every tick). The object it sends is ``chart`` or ``dashboard``, by
the name the tree gives it (a chart's name, a dashboard's slug or title).

The spec checks itself (``findings``): ``crontab`` is five cron fields
within their ranges (``model.cron``, S050), ``timezone`` one of the IANA
database (``zoneinfo``, S051), every recipient one e-mail address as
Superset accepts it or a Slack channel name (S052). What needs more than
the object, ``validate.reports`` checks: every recipient allowed by the
environments (``recipient_domains``, ``slack_channels``: a pull request
cannot add a reader unnoticed), an alert's SQL like a dataset's.

Defaults are Superset 6.1's: ``timezone`` UTC, ``format`` PNG, ``active``,
``working_timeout`` one hour, ``grace_period`` four hours, ``log_retention``
90 days. Owners are not part of the spec: Superset makes the account that
applies the tree the owner, and a report runs as its owner
(``ALERT_REPORTS_EXECUTORS``).
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from functools import lru_cache
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from superset_iac.model import cron
from superset_iac.model.base import Finding, Lookup, Model, Ref, Spec

Operator = Literal["<", "<=", ">", ">=", "==", "!="]
Format = Literal["PNG", "PDF", "CSV", "TEXT"]

# Formats Superset renders for a dashboard (a screenshot); a chart takes all.
DASHBOARD_FORMATS = ("PNG", "PDF")
# Superset 6.1's own pattern (superset/reports/schemas.py, EMAIL_REGEX): a
# list written in one string is refused, since Superset would split it.
EMAIL = re.compile(r"^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$")
# Slack's rule for channel names: lowercase letters, digits, - and _, at most 80.
SLACK_CHANNEL = re.compile(r"^#?[a-z0-9][a-z0-9_-]{0,79}$")


@lru_cache(maxsize=1)
def timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _nearest(name: str) -> str:
    """``"; did you mean 'Europe/Zurich'?"`` (the loader's did-you-mean, which
    the model cannot import: the loader imports the model)."""
    hint = difflib.get_close_matches(name, sorted(timezones()), n=1, cutoff=0.6)
    return f"; did you mean '{hint[0]}'?" if hint else ""


class Threshold(Model):
    """Send when ``value <op> threshold`` (Superset's ``operator`` validator)."""

    op: Operator
    threshold: float


class Alert(Model):
    database: str = Field(description="the database the condition SQL runs on, by name")
    sql: str = Field(description="one read-only query returning one value (or no row)")
    condition: Threshold | Literal["not null"] = Field(
        description="{op, threshold}, or 'not null': any value but NULL, 0 or empty")

    @field_validator("condition", mode="before")
    @classmethod
    def _one_condition(cls, value: Any) -> Any:
        # One message for either shape, not one per member of the union.
        if isinstance(value, str) and value != "not null":
            raise ValueError(f"condition is {{op, threshold}} or 'not null', not {value!r}")
        return value


class Recipients(Model):
    email: list[str] = Field(default_factory=list, description="To: addresses")
    cc: list[str] = Field(default_factory=list)
    bcc: list[str] = Field(default_factory=list)
    slack: list[str] = Field(default_factory=list, description="Slack channel names")

    def addresses(self) -> list[tuple[str, int, str]]:
        """Every e-mail address with the list and index it is written at."""
        return [(field, i, a) for field in ("email", "cc", "bcc")
                for i, a in enumerate(getattr(self, field))]


class Report(Spec):
    KIND = "report"
    REFERS_TO = frozenset({"chart", "dashboard", "database"})

    name: str = Field(min_length=1, max_length=150)
    description: str | None = None
    chart: str | None = Field(default=None, description="the chart sent, by name")
    dashboard: str | None = Field(default=None, description="the dashboard sent, by slug or title")
    crontab: str = Field(description="five cron fields: minute hour day-of-month month "
                                     "day-of-week, in timezone")
    timezone: str = Field(default="UTC", description="an IANA time zone (Europe/Zurich)")
    format: Format = "PNG"
    active: bool = True
    recipients: Recipients
    email_subject: str | None = None
    working_timeout: int = Field(default=3600, ge=1, description="seconds")
    grace_period: int = Field(default=14400, ge=1, description="seconds after an alert fires")
    log_retention: int = Field(default=90, ge=1, description="days of execution logs kept")
    force_screenshot: bool = False
    alert: Alert | None = None

    @model_validator(mode="after")
    def _one_content(self) -> "Report":
        if (self.chart is None) == (self.dashboard is None):
            raise ValueError("give exactly one of chart or dashboard: what the report sends")
        if self.dashboard is not None and self.format not in DASHBOARD_FORMATS:
            raise ValueError(f"a dashboard is sent as {' or '.join(DASHBOARD_FORMATS)}, "
                             f"not {self.format} (CSV and TEXT are a chart's data)")
        r = self.recipients
        if not (r.email or r.cc or r.bcc or r.slack):
            raise ValueError("recipients: name at least one e-mail address or Slack channel")
        if (r.cc or r.bcc) and not r.email:
            raise ValueError("recipients: cc and bcc need an email (To:) address too")
        return self

    @property
    def key(self) -> str:
        return self.name

    @property
    def superset_type(self) -> str:
        return "Alert" if self.alert is not None else "Report"

    def refs(self) -> list[Ref]:
        out = [Ref("chart", self.chart, ("chart",))] if self.chart else []
        out += [Ref("dashboard", self.dashboard, ("dashboard",))] if self.dashboard else []
        if self.alert is not None:
            out.append(Ref("database", self.alert.database, ("alert", "database")))
        return out

    def findings(self, lookup: Lookup) -> list[Finding]:
        """S050 a crontab Superset's scheduler would not read as five fields (at
        the field), S051 an unknown time zone, S052 a malformed recipient."""
        out: list[Finding] = []
        found = cron.problem(self.crontab)
        if found is not None:
            out.append(Finding(self.text_pos(("crontab",), 0, found.offset), "S050",
                               f"{self.ref}: {found.message}"))
        if self.timezone not in timezones():
            out.append(Finding(self.pos("timezone"), "S051",
                               f"{self.ref}: '{self.timezone}' is not a time zone of the IANA "
                               f"database{_nearest(self.timezone)}"))
        for field, i, address in self.recipients.addresses():
            if not EMAIL.match(address.strip()):
                out.append(Finding(self.pos("recipients", field, i), "S052",
                                   f"{self.ref}: '{address}' is not one e-mail address"))
        for i, channel in enumerate(self.recipients.slack):
            if not SLACK_CHANNEL.match(channel.strip()):
                out.append(Finding(self.pos("recipients", "slack", i), "S052",
                                   f"{self.ref}: '{channel}' is not a Slack channel name "
                                   "(lowercase letters, digits, - and _)"))
        return out

    def canonical_form(self, data: dict[str, Any]) -> dict[str, Any]:
        """Recipients are sets; Slack channels without their ``#``; an empty
        subject or description is none; the SQL without surrounding blanks."""
        r = self.recipients
        data["recipients"] = {
            "email": sorted({a.strip() for a in r.email}),
            "cc": sorted({a.strip() for a in r.cc}),
            "bcc": sorted({a.strip() for a in r.bcc}),
            "slack": sorted({c.strip().lstrip("#") for c in r.slack})}
        data["email_subject"] = self.email_subject or None
        data["description"] = self.description or None
        if self.alert is not None:
            data["alert"]["sql"] = self.alert.sql.strip()
        return data
