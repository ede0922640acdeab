"""The live state the access computation needs, read through the handlers.

The same handlers diff uses read databases, datasets, charts, roles (with
their permission sets, as specs relative to the built-in roles) and
dashboards (their roles, layout and native filters), in dependency order so
that ids become names. What access needs of a dataset (name, database,
schema, SQL) is in the dataset list, so no dataset detail is read; a
dashboard's charts and filters are only in its detail, so every dashboard's
is, and so is each database's connection (its URI names the default
catalog, which catalog access covers). A read costs

    1 database list + 1 per database + ceil(datasets / 100) + ceil(charts / 100)
    + ceil(roles / 100) + ceil(permission pairs / 100)
    + ceil(dashboards / 100) + 1 per dashboard
    + 1 user-directory page per 100 users, once, if any chart or dashboard has owners

and never writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from superset_iac import workflow
from superset_iac.kinds.base import Context
from superset_iac.kinds.registry import handlers
from superset_iac.model.base import Spec

KINDS = ("database", "dataset", "chart", "role", "dashboard")


@dataclass
class AccessContext(Context):
    """A read context that fetches dashboards and databases in full, nothing else."""

    def wants_detail(self, kind: str, key: str) -> bool:
        return kind in ("dashboard", "database")


def read_specs(ctx: Context) -> dict[str, dict[str, Spec]]:
    """Live specs by kind and key, as ``access.compute.effective_access`` takes them."""
    reader = AccessContext(client=ctx.client, env=ctx.env, url=ctx.url, cache=ctx.cache)
    live = workflow.read_live(reader, [h for h in handlers() if h.kind in KINDS])
    return {kind: {key: obj.spec for key, obj in objects.items()}
            for kind, objects in live.items()}
