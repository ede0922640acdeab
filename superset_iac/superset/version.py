"""Which Superset servers superset-iac can manage, and why.

Support policy (checked by ``SupersetClient.check_supported``):

- **6.x is supported.** 6.1 is what the tool is tested against. 6.0 works and
  is accepted with a warning. Later 6.x releases are accepted with a warning
  that they are newer than the tested one.
- **7.0 and later are refused**: the development branch after 6.1 renames API
  fields the tool writes (``owners`` → ``editors``, dashboard ``roles`` →
  ``viewers``, RLS ``roles`` → ``subjects``), so writing with 6.x field names
  would silently drop ownership and access rules.
- **Older than 6.0 is refused.** 4.x/5.x lack what the tool relies on:
  ``FAB_ADD_SECURITY_API`` is off by default (roles and users endpoints answer
  404 unless the server sets ``FAB_ADD_SECURITY_API = True``), dataset ``uuid``
  cannot be set on create, and 4.x still has the legacy chart types removed in
  5.0.

How the version is found: Superset 6.1 answers ``GET /version`` (no login
needed) with ``{"version_string": "6.1.0", …}``. 6.0 and older have no such
endpoint; there, the theme API (``/api/v1/theme/``, new in 6.0) tells 6.0 from
anything older.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from superset_iac.superset.errors import UnsupportedServer

TESTED = (6, 1)
OLDEST = (6, 0)
FIRST_UNSUPPORTED = (7, 0)

_VERSION = re.compile(r"^\s*v?(\d+)\.(\d+)(?:\.(\d+))?")

OLD_SERVER_HELP = (
    "superset-iac supports Superset 6.x. Upgrade the server; a 4.x/5.x server "
    "would also need FAB_ADD_SECURITY_API = True in superset_config.py for the "
    "roles and users API, cannot accept dataset uuids, and (4.x) still uses "
    "chart types that 5.0 removed"
)
SECURITY_API_HELP = (
    "the security API (/api/v1/security/roles/, users, permissions) answers 404: "
    "set FAB_ADD_SECURITY_API = True in superset_config.py and restart Superset "
    "(it is the default only from 6.0)"
)


@dataclass(frozen=True)
class ServerVersion:
    """A Superset version as reported by the server.

    ``parts`` is ``(major, minor, patch)`` or None when the server reports
    something unparseable (development builds say ``0.0.0-dev``). ``exact`` is
    False when the version was inferred from which endpoints exist.
    """

    raw: str
    parts: tuple[int, int, int] | None
    exact: bool = True

    @classmethod
    def parse(cls, raw: str, *, exact: bool = True) -> ServerVersion:
        match = _VERSION.match(raw or "")
        if not match or match.group(1) == "0":
            return cls(raw=raw, parts=None, exact=exact)
        major, minor, patch = (int(g) if g else 0 for g in match.groups())
        return cls(raw=raw, parts=(major, minor, patch), exact=exact)

    def __str__(self) -> str:
        return self.raw


def support_warnings(version: ServerVersion) -> list[str]:
    """Warnings for a usable server; raises ``UnsupportedServer`` for an unusable one."""
    if version.parts is None:
        return [
            f"Superset reports version {version.raw!r}; assuming it behaves like {_dotted(TESTED)}"
        ]
    major_minor = version.parts[:2]
    if major_minor < OLDEST:
        raise UnsupportedServer(f"Superset {version} is too old: {OLD_SERVER_HELP}")
    if major_minor >= FIRST_UNSUPPORTED:
        raise UnsupportedServer(
            f"Superset {version} is newer than superset-iac supports (6.x): its API renames "
            "owners → editors, dashboard roles → viewers and RLS roles → subjects"
        )
    if major_minor < TESTED:
        return [f"Superset {version} is supported but older than the tested {_dotted(TESTED)}"]
    if major_minor > TESTED:
        return [f"Superset {version} is newer than the tested {_dotted(TESTED)}"]
    return []


def _dotted(parts: tuple[int, ...]) -> str:
    return ".".join(str(p) for p in parts)
