"""A theme (Superset 6.x): a named Ant Design theme configuration.

Superset stores a theme as ``theme_name`` and ``json_data``, a JSON *string*
of Ant Design's theme shape (``superset/themes/types.py``): ``token`` (design
tokens: colours, fonts, the brand logo), ``components`` (per-component
tokens), ``algorithm`` (``default``, ``dark``, ``compact``, ``system`` or a
list of the first three), ``hashed``, ``inherit``. Here ``config`` is that
JSON as typed YAML, refused at its line when Superset's ``is_valid_theme``
would refuse it, and compared as data: key order, ``1`` against ``1.0``, an
empty ``components`` against none and ``[dark]`` against ``dark`` make no
change.

``THEME_DEFAULT`` and ``THEME_DARK`` are Superset's system themes, written
into the metadata database from the server configuration at every start
(``superset/commands/theme/seed.py``) and refused by the API for any write:
a dashboard may name them, the tree may not define them (S035).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, WithJsonSchema

from superset_iac.model.base import Finding, Lookup, Model, Spec

# Seeded from THEME_DEFAULT / THEME_DARK in superset_config (is_system: true).
SYSTEM_THEMES = ("THEME_DEFAULT", "THEME_DARK")
# Superset 6.1's THEME_FONT_URL_ALLOWED_DOMAINS and THEME_FONTS_MAX_URLS
# defaults, which superset_config/ keeps: the API refuses any other font URL.
FONT_DOMAINS = ("fonts.googleapis.com", "fonts.gstatic.com", "use.typekit.net", "use.typekit.com")
MAX_FONT_URLS = 15

MODES = ("default", "dark", "compact")  # "system" alone: follow the browser's preference


def _algorithm(value: str | list[str]) -> str | list[str]:
    """One mode, ``system``, or a list of modes (Superset's ``_is_valid_algorithm``),
    refused with one message rather than one per member of a union."""
    modes = [value] if isinstance(value, str) else value
    for mode in modes:
        if mode not in MODES and not (mode == "system" and isinstance(value, str)):
            raise ValueError(f"'{mode}' is not an algorithm: give default, dark, compact or "
                             "system, or a list of default, dark and compact")
    return value


# For editors: the same rule as a schema (the validator gives validate one message).
Algorithm = Annotated[str | list[str], AfterValidator(_algorithm), WithJsonSchema(
    {"anyOf": [{"enum": [*MODES, "system"]}, {"type": "array", "items": {"enum": list(MODES)}}]})]


class ThemeConfig(Model):
    """Superset's ``Theme`` TypedDict: what ``json_data`` may hold."""

    token: dict[str, Any] = Field(
        default_factory=dict, description="Ant Design design tokens (colorPrimary, fontFamily, "
                                          "brandLogoUrl, fontUrls, …)")
    components: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="per-component tokens, by Ant Design component name")
    algorithm: Algorithm | None = Field(
        default=None, description="default, dark, compact, system, or a list of the first three")
    hashed: bool | None = None
    inherit: bool | None = None

    def canonical(self) -> dict[str, Any]:
        """The configuration as Superset stores it, in one form: unset and empty
        parts left out, a one-mode list as that mode."""
        data = self.model_dump(mode="json", exclude_none=True)
        if isinstance(data.get("algorithm"), list) and len(data["algorithm"]) == 1:
            data["algorithm"] = data["algorithm"][0]
        return {k: v for k, v in data.items() if v not in ({}, [])}


class Theme(Spec):
    KIND = "theme"
    BUILT_IN_KEYS = frozenset(SYSTEM_THEMES)  # on every server: never written, always there

    name: str = Field(min_length=1, pattern=r"\S", description="the theme's name in Superset")
    config: ThemeConfig = Field(default_factory=ThemeConfig,
                                description="the theme's JSON configuration (json_data)")

    @property
    def key(self) -> str:
        return self.name

    def findings(self, lookup: Lookup) -> list[Finding]:
        """What Superset's theme API would refuse or rewrite, where it is written."""
        out: list[Finding] = []
        if self.name in SYSTEM_THEMES:
            out.append(Finding(self.pos("name"), "S035",
                               f"{self.ref}: '{self.name}' is a system theme, written from the "
                               "server configuration (THEME_DEFAULT/THEME_DARK in "
                               "superset_config); give this theme another name"))
        urls = self.config.token.get("fontUrls")
        if urls is None:
            return out
        where = ("config", "token", "fontUrls")
        if not isinstance(urls, list):
            return out + [Finding(self.pos(*where), "S034",
                                  f"{self.ref}: fontUrls must be a list of URLs")]
        if len(urls) > MAX_FONT_URLS:
            out.append(Finding(self.pos(*where), "S034",
                               f"{self.ref}: {len(urls)} font URLs; Superset allows at most "
                               f"{MAX_FONT_URLS} per theme"))
        for i, url in enumerate(urls):
            problem = font_url_problem(url)
            if problem:
                out.append(Finding(self.pos(*where, i), "S034", f"{self.ref}: {problem}"))
        return out

    def canonical_form(self, data: dict[str, Any]) -> dict[str, Any]:
        data["config"] = self.config.canonical()
        return data


def font_url_problem(url: Any) -> str | None:
    """Why Superset's ``validate_font_urls`` refuses ``url`` (None: it keeps it as is)."""
    if not isinstance(url, str):
        return f"font URL {url!r} is not a string"
    if url != url.strip():
        return f"font URL {url!r} has surrounding spaces (Superset strips them)"
    parts = urlsplit(url)
    if parts.scheme != "https":
        return f"font URL {url!r} must use https"
    if parts.netloc.lower() not in FONT_DOMAINS:
        return (f"font URL {url!r}: Superset loads fonts only from "
                f"{', '.join(FONT_DOMAINS)} (THEME_FONT_URL_ALLOWED_DOMAINS)")
    return None
