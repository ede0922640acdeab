"""A dashboard's embedding settings: which web origins may frame it (Embedded SDK).

Superset stores at most one embedding per dashboard, with the list of
domains whose pages may embed it, and gives it a uuid of its own, generated
by the server: the id the host page passes to the SDK's ``embedDashboard``.
The uuid is never in the tree and never compared (each environment has its
own); ``apply`` shows it after a create and ``export`` writes it as a comment.

Its own kind, keyed by the dashboard it embeds, rather than a dashboard
field: it has its own endpoint, lifecycle and id, and a dashboard that is
not embedded costs no request (see kinds/embedded.py).

Superset compares a host page's ``Referer`` with each entry by scheme, host
and port (``flask_wtf.csrf.same_origin``), so an entry must be an origin
(``https://portal.example.com``, a port if not the scheme's); a bare host
name would never match. An empty list lets *any* site embed it (W001).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field, WithJsonSchema

from superset_iac.model.base import Finding, Link, Lookup, Ref, Spec

# scheme://host[:port], lower case, nothing after: what same_origin compares.
_ORIGIN = re.compile(r"^https?://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$")


def _origin(entry: str) -> str:
    if not _ORIGIN.match(entry):
        raise ValueError(f"{entry!r}: write an origin, scheme://host[:port] in lower case with "
                         "nothing after it (Superset matches the embedding page's scheme, host "
                         "and port)")
    return entry


# The schema says it too, so an editor flags a bare host name as it is typed.
Origin = Annotated[str, AfterValidator(_origin),
                   WithJsonSchema({"type": "string", "pattern": _ORIGIN.pattern})]


class Embedded(Spec):
    KIND = "embedded"
    KEY_FIELDS = ("dashboard",)
    REFERS_TO = frozenset({"dashboard"})

    dashboard: str = Field(description="the dashboard's slug (or title, without one)")
    allowed_domains: list[Origin] = Field(
        description="origins whose pages may embed it, e.g. https://portal.example.com; "
                    "[] lets any site embed it")

    @property
    def key(self) -> str:
        return self.dashboard

    def refs(self) -> list[Ref]:
        return [Ref("dashboard", self.dashboard, ("dashboard",))]

    def findings(self, lookup: Lookup) -> list[Finding]:
        if self.allowed_domains:
            return []
        return [Finding(self.pos("allowed_domains"), "G013",
                        f"{self.ref}: no allowed_domains, so any site may embed this dashboard "
                        "(Superset allows every origin for an empty list); name the host origins")]

    def lineage(self) -> list[Link]:
        """Where the dashboard is shown: a change of it reaches the embedding's pages."""
        return [Link(f"dashboard/{self.dashboard}", self.ref, "embeds")]

    def canonical_form(self, data: dict[str, Any]) -> dict[str, Any]:
        """The domains are a set."""
        data["allowed_domains"] = sorted(set(self.allowed_domains))
        return data
