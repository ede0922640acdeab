"""Row level security rules (``/api/v1/rowlevelsecurity/``).

Reading is the list endpoint only, ``ceil(rules / 100)`` requests (without
``--prune``, ``ceil(rules the tree names / 50)`` filtered by name), asked for
without ``columns``: its default answer (``RLSListSchema``) carries
``description`` and ``tables``/``roles`` as ``{"id", "table_name"}`` /
``{"id", "name"}`` objects, while naming columns would drop ``description``.
Dataset ids become dataset keys through ``ctx.ids`` (the dataset handler
reads first), role names come with the row.

Managed marker: rules have no ``external_url``, so the tool appends a last
line ``superset-iac://rls/<name>`` to the stored ``description`` (shown in
the UI's rule editor; ``kinds.marker``). ``to_spec`` strips it, so plans and
exports never see it; a rule renamed by hand keeps a marker naming another
rule, which makes it unmanaged and safe from ``--prune``.

Failure between requests: there is none. A create is one POST and an update
one PUT carrying the whole rule (tables, roles, clause, marker), which the
server writes in one transaction; a refused request leaves the rule as it was.
"""

from __future__ import annotations

from typing import Any

from superset_iac.kinds import marker
from superset_iac.kinds.base import Context, ExportFlag
from superset_iac.kinds.rest import RestHandler
from superset_iac.model.base import Spec
from superset_iac.model.rls import RlsRule
from superset_iac.plan.model import LiveObject


def with_marker(description: str | None, name: str) -> str:
    return marker.with_marker(description, "rls", name)


def split_marker(description: str | None) -> tuple[str | None, str | None]:
    """(description without the marker line, the rule name the marker names)."""
    return marker.split_marker(description, "rls")


class RlsHandler(RestHandler):
    spec_type = RlsRule
    export_flag = ExportFlag("--rls", "Export row level security rules (with their datasets "
                                      "and roles).")
    resource = "rowlevelsecurity"
    name_column = "name"
    columns = ()  # the default list schema is the one that includes description

    def keys(self, ctx: Context, rows: list[dict[str, Any]]) -> list[str]:
        return [row["name"] for row in rows]  # unique in Superset

    def is_managed(self, row: dict[str, Any], key: str) -> bool:
        return split_marker(row.get("description"))[1] == key

    def to_spec(self, ctx: Context, row: dict[str, Any], key: str | None = None) -> RlsRule:
        datasets = [ctx.ids.key("dataset", t["id"]) or t.get("table_name") or f"#{t['id']}"
                    for t in row.get("tables") or []]
        return RlsRule.model_construct(
            name=row["name"], filter_type=row["filter_type"], datasets=sorted(datasets),
            roles=sorted(r["name"] for r in row.get("roles") or []),
            group_key=row.get("group_key") or None, clause=row.get("clause") or "",
            description=split_marker(row.get("description"))[0])

    def to_payload(self, ctx: Context, spec: Spec, live: LiveObject | None = None) -> dict[str, Any]:
        assert isinstance(spec, RlsRule)
        return {"name": spec.name, "filter_type": spec.filter_type,
                "tables": [ctx.ids.id("dataset", d) for d in sorted(set(spec.datasets))],
                "roles": [ctx.ids.id("role", r) for r in sorted(set(spec.roles))],
                "group_key": spec.group_key or None, "clause": spec.clause,
                "description": with_marker(spec.description, spec.name)}

    def create_payload(self, ctx: Context, spec: Spec) -> dict[str, Any]:
        """The rule as it is: rules take no uuid (the marker is in ``description``)."""
        return self.to_payload(ctx, spec)

    def landed(self, ctx: Context, key: str) -> None:
        """Without a uuid, a create whose answer was lost is reported as failed."""
        return None


HANDLER = RlsHandler()
