"""Every diagnostic code ``validate`` can report, in one table.

The letter says which stage found it: L/Y loading and YAML, S schema, R
references, Q SQL, C columns, G governance (PII masking), E environments, B
converting native bundles (`convert`).
Each code has one severity; ``add`` looks it up, so a check cannot report a
code with the wrong one. ``markdown_table()`` renders this table for the
README.
"""

from __future__ import annotations

from superset_iac.diagnostics import Diagnostics, Position, Severity

E, W = Severity.ERROR, Severity.WARNING

CODES: dict[str, tuple[Severity, str]] = {
    "L001": (E, "the asset directory does not exist"),
    "L002": (E, "a directory that names no kind of asset"),
    "L003": (E, "a file that cannot be read as UTF-8 text (binary, permissions)"),
    "L004": (E, "YAML aliases that would expand beyond 10,000 nodes or 1 MiB of text, or an "
                "alias inside its own anchor (a \"billion laughs\" file)"),
    "L005": (E, "YAML nested more than 100 levels deep (aliases included)"),
    "L006": (E, "a symbolic link that leads outside the asset tree (not loaded)"),
    "L007": (W, "a symbolic link whose target does not exist (not loaded)"),
    "L008": (E, "a file larger than the per-file bound (4 MiB by default; not loaded)"),
    "L009": (E, "a tree whose files add up to more than the per-tree bound (64 MiB by "
                "default; the rest is not loaded)"),
    "Y001": (E, "invalid YAML"),
    "Y002": (E, "a key repeated in one mapping"),
    "Y003": (E, "a mapping key that is not a plain scalar"),
    "S001": (E, "unknown key (with a did-you-mean)"),
    "S002": (E, "wrong type (strict: `\"5\"` is not a number, `yes` not a boolean)"),
    "S003": (E, "missing required key"),
    "S004": (E, "a value outside the allowed set"),
    "S005": (E, "two objects of one kind with the same name"),
    "S006": (E, "an object that is not a mapping"),
    "S009": (E, "any other schema error"),
    "S010": (E, "a rule of the kind's model (one of row/header/divider/tabs, a cell is one of "
                "chart/markdown/column, view sql or source+columns, mask custom needs expression, "
                "a mask given as YAML null, "
                "keep_last >= 0, role rules, slug form, annotation times ISO 8601 without offset "
                "and an end not before the start)"),
    "S011": (E, "layout width outside 1..12, or height below 1"),
    "S012": (E, "a row whose widths add up to more than 12"),
    "S013": (E, "a physical dataset without schema on a Trino database whose URI names none, "
                "or an empty sql"),
    "S014": (E, "native filter fields that do not fit its type (select/range need dataset and "
                "column; time_range takes neither)"),
    "S015": (E, "two native filters of one dashboard with the same id or name"),
    "S016": (W, "unknown viz_type (with a did-you-mean)"),
    "S017": (E, "viz_type removed from Superset (with its replacement)"),
    "S018": (E, "environment name differs from its file name"),
    "S019": (E, "database.environments names an environment that is not defined"),
    "S020": (E, "a secret written in clear instead of as ${VAR}"),
    "S021": (E, "a column or metric name repeated in one dataset"),
    "S022": (W, "keep_last on a column that is not masked partial"),
    "S023": (W, "a chart params key no control of its viz type reads (with a did-you-mean)"),
    "S030": (E, "a ${VAR} in a database URI outside a secret slot (user, host, port, query key, "
                "a parameter that is not a password/token; the path only for path_variables)"),
    "S031": (E, "a ${VAR} in a database URI that the environment does not declare "
                "(secrets, or path_variables for the path)"),
    "S032": (E, "a database URI SQLAlchemy cannot parse (e.g. a port 15x480)"),
    "S033": (E, "a database URI whose host is not in the environment's allowed_hosts, that "
                "carries a secret where the environment sets no allowed_hosts, or whose "
                "connect_args would move it to another host"),
    "S034": (E, "a theme font URL Superset refuses (not https, a host outside its "
                "THEME_FONT_URL_ALLOWED_DOMAINS, more than 15 of them)"),
    "S035": (E, "a theme named like a system theme (THEME_DEFAULT, THEME_DARK), which "
                "Superset writes from its configuration"),
    "S040": (E, "an annotation name repeated in one annotation layer"),
    "S041": (E, "a native annotation layer written in chart params by id instead of under the "
                "chart's annotation_layers by name"),
    "S042": (E, "two annotation layers of one chart with the same label"),
    "S043": (W, "annotation layers on a viz_type that does not draw them"),
    "S050": (E, "a report's crontab that is not five cron fields within their ranges"),
    "S051": (E, "a report's timezone that the IANA time zone database does not know"),
    "S052": (E, "a report recipient that is not one e-mail address or a Slack channel name"),
    "S053": (E, "a report recipient outside the environment's recipient_domains or "
                "slack_channels (an environment that lists none allows none)"),
    "S054": (W, "reports in a tree without environment files: no allow-list checks their "
                "recipients"),
    "R001": (E, "reference to an object that is not defined (with a did-you-mean)"),
    "R002": (E, "a chart placed twice on one dashboard"),
    "R003": (E, "views that read each other in a cycle"),
    "R004": (E, "a native filter scoped to a chart that is not on its dashboard"),
    "R005": (W, "a Regular RLS rule with no roles (it filters nobody)"),
    "R006": (W, "a dataset reads an unknown table in a schema of the tree's views "
                "(with a did-you-mean)"),
    "R007": (E, "a group membership between a group and a user of the tree that only one of "
                "them states (a group's members, a user's groups)"),
    "Q001": (E, "SQL that does not parse (Trino dialect, Jinja rendered with placeholders)"),
    "Q002": (E, "more than one SQL statement"),
    "Q003": (E, "SQL that is not one read-only query (DDL, DML, SET, ...)"),
    "Q004": (E, "a metric or column expression that is not exactly one expression"),
    "Q005": (E, "an RLS clause or filter that is not a boolean condition"),
    "Q010": (E, "free SQL calls a function that reads the warehouse process's environment, "
                "settings or files (getenv, current_setting, read_csv, read_text, glob, ...)"),
    "Q011": (E, "free SQL reads a table function, a file named as a table, or Trino's system "
                "catalog"),
    "Q020": (E, "an alert's SQL that selects more than one column (Superset compares one value)"),
    "C001": (E, "a column that its dataset does not have (with a did-you-mean)"),
    "C002": (E, "a saved metric that its dataset does not define"),
    "C003": (E, "SELECT * without declared columns: the dataset's columns cannot be known"),
    "C004": (E, "a declared column that the dataset's SQL or view does not return"),
    "C005": (E, "an expression naming a column the dataset does not have"),
    "C006": (E, "a dataset's SQL naming a column that the tree's views it reads do not have"),
    "F001": (W, "a native filter scoped to a chart it cannot narrow (time_range: the chart "
                "has no time column or says time_filter: false; select/range: its dataset "
                "lacks the column)"),
    "G001": (E, "a role outside raw_access_roles reaches a dataset that reads a masked raw table"),
    "G002": (E, "a role outside raw_access_roles has database or schema access to a masked "
                "raw table (SQL Lab bypasses the view)"),
    "G003": (W, "a dataset reads a raw table that has a masking view"),
    "G004": (W, "a view passes a masked column of a raw table through unmasked"),
    "G005": (E, "a role outside raw_access_roles may create datasets (owners read any table "
                "their dataset names)"),
    "G006": (W, "a dashboard lists a role that does not hold its datasets: dashboard RBAC lets "
                "that role read them anyway"),
    "G010": (E, "a column a view declares as pii reaches a view of its source unmasked"),
    "G011": (E, "a custom mask that returns the column unchanged (masks nothing)"),
    "G012": (W, "a masked column that no view of its source declares under pii (dropping the "
                "mask would not fail validation)"),
    "G013": (W, "an embedded dashboard with no allowed_domains: any site may embed it"),
    "E001": (E, "a variable the environment needs is not set (for Superset connection "
                "settings, a warning in validate: it never connects)"),
    "E002": (E, "--env names an environment that is not defined"),
    "B001": (W, "convert: a chart of a legacy type that Superset's import rewrites to its "
                "ECharts successor (`convert --migrate-legacy` does the same)"),
    "B002": (W, "convert --migrate-legacy: a legacy chart that cannot be migrated offline the "
                "way Superset would (kept as it is)"),
}


def add(diags: Diagnostics, pos: Position, code: str, message: str) -> None:
    """Report ``code`` with its severity from the table."""
    diags.add(pos, code, message, CODES[code][0])


def markdown_table() -> str:
    rows = ["| Code | Severity | Meaning |", "|---|---|---|"]
    rows += [f"| {code} | {sev.value} | {text} |" for code, (sev, text) in CODES.items()]
    return "\n".join(rows)
