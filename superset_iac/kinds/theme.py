"""Themes (Superset 6.x): ``/api/v1/theme/``.

Reading is the list endpoint, whose rows carry ``json_data``: ``ceil(themes
/ 100)`` requests, the kind read whole (themes are few; the list filters on
nothing but a free-text search). The system themes (``is_system``: Superset
writes ``THEME_DEFAULT`` and ``THEME_DARK`` from its configuration at start,
and its API refuses to change or delete them) are never live objects of the
tree: only their ids are registered, so that a dashboard may name one.

Identity. ``theme_name`` is not unique in Superset, and a POST cannot set a
uuid (``ThemePostSchema`` takes the name and ``json_data`` only). A theme is
therefore created through ``POST /theme/import/``, a bundle of that one
theme carrying the uuid ``managed_uuid("theme", name)``: that uuid marks it
as managed (the only themes ``--prune`` deletes), survives a rename in the
UI, and makes a create that cannot double: the import of a uuid that exists
is refused (422) and the theme is adopted (``RestHandler.post_once``). The
import answers without the id, so a create is the import then one list read.
Names shared by several themes get `` [<uuid8>]`` but for the managed one.

Writing. An update is one ``PUT /theme/{id}`` with ``theme_name`` and
``json_data`` (the configuration as a JSON string), a delete one DELETE
(Superset detaches the dashboards that used the theme, then deletes it).
Either is one request, hence one transaction: nothing is half-written.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from typing import Any

from pydantic import ValidationError

from superset_iac.kinds.base import Context, ExportFlag, UnresolvedReference
from superset_iac.kinds.rest import RestHandler, WriteFailed, id_of, json_object, managed_uuid
from superset_iac.model.base import Spec
from superset_iac.model.theme import SYSTEM_THEMES, Theme, ThemeConfig
from superset_iac.plan.model import LiveObject

# The export format Superset 6.1's theme import reads (ImportV1ThemeSchema).
BUNDLE_VERSION = "1.0.0"


class ThemeHandler(RestHandler):
    spec_type = Theme
    export_flag = ExportFlag("--themes", "Export every theme but the system ones.")
    resource = "theme"
    columns = ("id", "uuid", "theme_name", "json_data", "is_system")

    def read(self, ctx: Context) -> dict[str, LiveObject]:
        rows = self.rows(ctx)
        system = {row.get("theme_name") or "": row["id"] for row in rows if row.get("is_system")}
        for name, id_ in system.items():
            ctx.ids.set(self.kind, name, id_)
        themes = [row for row in rows if not row.get("is_system")]
        keys = theme_keys(themes, ctx.desired_keys(self.kind), set(system))
        return {key: self.live_object(ctx, key, row) for row, key in zip(themes, keys, strict=True)}

    def keys(self, ctx: Context, rows: list[dict[str, Any]]) -> list[str]:
        return theme_keys(rows, ctx.desired_keys(self.kind), set())

    def to_spec(self, ctx: Context, row: dict[str, Any], key: str | None = None) -> Theme:
        return Theme.model_construct(name=row.get("theme_name") or "",
                                     config=live_config(row.get("json_data")))

    def to_payload(self, ctx: Context, spec: Spec, live: LiveObject | None = None) -> dict[str, Any]:
        assert isinstance(spec, Theme)
        return {"theme_name": spec.name, "json_data": config_json(spec.config)}

    # -- creating through the import, which takes a uuid ---------------------------
    def create_payload(self, ctx: Context, spec: Spec) -> dict[str, Any]:
        """The theme's file in Superset's export format, with its managed uuid."""
        assert isinstance(spec, Theme)
        return {**self.to_payload(ctx, spec), "uuid": managed_uuid(self.kind, spec.key),
                "version": BUNDLE_VERSION}

    def send_create(self, ctx: Context, key: str, payload: dict[str, Any]) -> Any:
        ctx.client.post(f"{self.resource}/import/", files={
            "formData": ("theme.zip", bundle(payload), "application/zip")},
            data={"overwrite": "false"})
        found = self.landed(ctx, key)
        if found is None:
            raise WriteFailed(f"theme '{key}': the import was accepted, but no theme has "
                              f"its uuid {payload['uuid']}")
        return found

    def landed(self, ctx: Context, key: str) -> Any:
        wanted = managed_uuid(self.kind, key)
        for row in ctx.client.list(self.resource, columns=["id", "uuid"]):
            if row.get("uuid") == wanted:
                return row["id"]
        return None


def theme_id(ctx: Context, key: str) -> Any:
    """This environment's id of the theme ``key``. A system theme is no
    dependency (``Dashboard.theme_refs``), so the themes may not have been read:
    then one list read registers the system themes' ids."""
    try:
        return id_of(ctx, "theme", key)
    except UnresolvedReference:
        if key not in SYSTEM_THEMES:
            raise
    for row in ctx.client.list("theme", columns=["id", "theme_name", "is_system"]):
        if row.get("is_system"):
            ctx.ids.set("theme", row.get("theme_name") or "", row["id"])
    return ctx.ids.id("theme", key)


def theme_keys(rows: list[dict[str, Any]], wanted: list[str], system: set[str]) -> list[str]:
    """Each row's key: the tree's key its managed uuid says, else its name; a name
    shared by several themes, or by a system theme, gets the uuid's start but
    for the managed one."""
    by_uuid = {managed_uuid("theme", key): key for key in wanted}
    names = [by_uuid.get(row.get("uuid") or "") or row.get("theme_name") or "" for row in rows]
    taken = Counter(names) + Counter(system)
    return [f"{name} [{str(row.get('uuid') or row['id'])[:8]}]"
            if taken[name] > 1 and row.get("uuid") != managed_uuid("theme", name) else name
            for row, name in zip(rows, names)]


def live_config(text: Any) -> ThemeConfig:
    """``json_data`` as a configuration: validated when it fits the theme shape;
    otherwise its known parts (keys outside Ant Design's theme shape, as in a
    hand-written import, are not compared)."""
    data = json_object(text)
    try:
        return ThemeConfig.model_validate(data)
    except ValidationError:
        return ThemeConfig.model_construct(**{k: v for k, v in data.items()
                                              if k in ThemeConfig.model_fields})


def config_json(config: ThemeConfig) -> str:
    return json.dumps(config.canonical(), sort_keys=True)


def bundle(theme: dict[str, Any]) -> bytes:
    """A ZIP Superset's theme import reads: ``metadata.yaml`` and one theme file,
    under a root folder (JSON is YAML)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("theme_export/metadata.yaml",
                    json.dumps({"version": BUNDLE_VERSION, "type": "Theme"}))
        zf.writestr("theme_export/themes/theme.yaml", json.dumps(theme))
    return buf.getvalue()


HANDLER = ThemeHandler()
