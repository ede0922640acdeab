"""Typed specs, one module per kind, and the registry of kinds.

``KINDS`` maps each asset directory to its spec class, in dependency order:
what a later kind references is created by an earlier one. It is written out
here because the model never imports the handlers; it lists the same kinds
in the same order as ``kinds.registry.ORDER`` (tests/unit/kinds/test_registry.py).
"""

from __future__ import annotations

from superset_iac.model.base import Spec
from superset_iac.model.chart import Chart
from superset_iac.model.dashboard import Dashboard
from superset_iac.model.database import Database
from superset_iac.model.dataset import Dataset
from superset_iac.model.environment import Environment
from superset_iac.model.rls import RlsRule
from superset_iac.model.role import Role
from superset_iac.model.theme import Theme
from superset_iac.model.user import User
from superset_iac.model.view import View

# directory name -> spec class, in apply order
KINDS: dict[str, type[Spec]] = {
    "views": View,
    "databases": Database,
    "datasets": Dataset,
    "charts": Chart,
    "roles": Role,  # before dashboards: dashboard RBAC names roles
    "themes": Theme,  # before dashboards: a dashboard names its theme
    "dashboards": Dashboard,
    "users": User,
    "rls": RlsRule,
}

SPEC_BY_KIND: dict[str, type[Spec]] = {cls.KIND: cls for cls in KINDS.values()}

__all__ = ["KINDS", "SPEC_BY_KIND", "Spec", "Chart", "Dashboard", "Database", "Dataset",
           "Environment", "RlsRule", "Role", "Theme", "User", "View"]
