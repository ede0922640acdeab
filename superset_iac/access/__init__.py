"""Effective access: for each role, what it reaches and through what.

``compute.effective_access(specs)`` is the one computation, pure, over specs
by kind (the tree's, or the live state's as ``live.read_specs`` reads it
through the handlers); ``model`` holds its result; ``render`` shows it as
text or JSON. Validation (``validate.governance``) and the ``access``
command both use it, so a path is never checked in one place and missed in
another.
"""

from __future__ import annotations

from superset_iac.access.compute import effective_access
from superset_iac.access.model import AccessMap, Path, RoleAccess, Via

__all__ = ["AccessMap", "Path", "RoleAccess", "Via", "effective_access"]
