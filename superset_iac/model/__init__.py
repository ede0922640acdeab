"""Typed specs, one module per kind, and the registry of kinds.

``KINDS`` maps each asset directory to its spec class, in dependency order:
what a later kind references is created by an earlier one. It is written out
here because the model never imports the handlers; it lists the same kinds
in the same order as ``kinds.registry.ORDER`` (tests/unit/kinds/test_registry.py).
"""

from __future__ import annotations

from superset_iac.model.annotation_layer import AnnotationLayer
from superset_iac.model.base import Spec
from superset_iac.model.chart import Chart
from superset_iac.model.css_template import CssTemplate
from superset_iac.model.dashboard import Dashboard
from superset_iac.model.database import Database
from superset_iac.model.dataset import Dataset
from superset_iac.model.embedded import Embedded
from superset_iac.model.environment import Environment
from superset_iac.model.group import Group
from superset_iac.model.report import Report
from superset_iac.model.rls import RlsRule
from superset_iac.model.role import Role
from superset_iac.model.saved_query import SavedQuery
from superset_iac.model.tag import Tag
from superset_iac.model.theme import Theme
from superset_iac.model.user import User
from superset_iac.model.view import View

# directory name -> spec class, in apply order
KINDS: dict[str, type[Spec]] = {
    "views": View,
    "databases": Database,
    "datasets": Dataset,
    "annotation_layers": AnnotationLayer,  # before charts: charts draw layers
    "charts": Chart,
    "roles": Role,  # before dashboards: dashboard RBAC names roles
    "css_templates": CssTemplate,  # before dashboards: dashboards copy templates
    "themes": Theme,  # before dashboards: a dashboard names its theme
    "dashboards": Dashboard,
    "embedded": Embedded,  # after the dashboard it embeds
    "groups": Group,  # after roles (it holds them), before users (they name groups)
    "users": User,
    "rls": RlsRule,
    "saved_queries": SavedQuery,
    "tags": Tag,  # after what it tags: dashboards, charts, saved queries
    "reports": Report,  # last: a report names charts, dashboards and databases
}

SPEC_BY_KIND: dict[str, type[Spec]] = {cls.KIND: cls for cls in KINDS.values()}

__all__ = ["KINDS", "SPEC_BY_KIND", "Spec", "AnnotationLayer", "Chart", "CssTemplate", "Dashboard",
           "Database", "Dataset", "Embedded", "Environment", "Group", "Report", "RlsRule", "Role",
           "SavedQuery", "Tag", "Theme", "User", "View"]
