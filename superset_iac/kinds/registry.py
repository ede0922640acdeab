"""The handlers, in dependency order: the one list a kind is registered in.

``ORDER`` is written out by hand, in the same order as ``model.KINDS`` (a
unit test keeps the two, and each kind's export, equality and validation
support, in step): adding a kind is its spec, its handler and a line here
(and in ``model.KINDS``). What a kind does differently is a hook of its spec
(``model.base.Spec``) or its handler (``kinds.base.Handler``), never a branch
on its name elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from superset_iac.kinds import (annotation_layer, chart, css_template, dashboard, database, dataset,
                                embedded, group, report, rls, role, saved_query, tag, theme, user,
                                view)
from superset_iac.kinds.base import Handler

ORDER: tuple[Handler, ...] = (
    view.HANDLER,
    database.HANDLER,
    dataset.HANDLER,
    annotation_layer.HANDLER,  # before charts: charts draw layers
    chart.HANDLER,
    role.HANDLER,  # before dashboards: dashboard RBAC names roles
    css_template.HANDLER,  # before dashboards: dashboards copy templates
    theme.HANDLER,  # before dashboards: a dashboard names its theme
    dashboard.HANDLER,
    embedded.HANDLER,  # after the dashboard it embeds
    group.HANDLER,  # after roles (it holds them), before users (they name groups)
    user.HANDLER,
    rls.HANDLER,
    saved_query.HANDLER,
    tag.HANDLER,  # after what it tags: dashboards, charts, saved queries
    report.HANDLER,  # last: a report names charts, dashboards and databases
)

# kind -> handler, for apply (which looks a change's handler up by its kind)
HANDLERS: Mapping[str, Handler] = MappingProxyType({h.kind: h for h in ORDER})

# Kinds ``export`` never writes, and why (``Handler.not_exported``).
NOT_EXPORTED: Mapping[str, str] = MappingProxyType(
    {h.kind: h.not_exported for h in ORDER if h.not_exported is not None})

# Kinds ``export`` writes, in dependency order: what ``--all`` selects.
EXPORTED: tuple[str, ...] = tuple(h.kind for h in ORDER if h.not_exported is None)


def handlers() -> list[Handler]:
    """Every kind's handler, in dependency order."""
    return list(ORDER)
