"""Custom tags: ``/api/v1/tag/`` (Superset's tagging system, ``TAGGING_SYSTEM``).

Reading. The tag list filtered to custom tags (``type`` ``custom_tag``;
Superset's ``owner:``/``type:``/``favorited_by:`` tags are never read), then
who each tag tags: ``GET tag/get_objects/?tagIds=…`` answers every object
tagged by any of the given tags, each with *all* its tags, so one request per
50 tags gives the membership of them all. Objects are named through
``ctx.ids`` (dashboards, charts and saved queries are read first); one the
run did not read is ``#<id>``, a member to take off. Cost:
``ceil(tags the tree names / 50)`` lists filtered by name (with ``--prune``
and for export ``ceil(custom tags / 100)`` pages) + ``ceil(tags read / 50)``
membership reads (none without tags).

Managed marker. Tags have no uuid: the tool writes a last line
``superset-iac://tag/<name>`` in the description (``kinds/markers.py``).

Writing. Superset's ``POST tag/`` creates the tag, or reuses the custom tag
of that name, with exactly its ``objects_to_tag``, and answers without an id:
a create is one POST and one list by name for the id; repeating it (two
applies at once, a lost answer) converges on the same tag. An update is one
``PUT tag/{id}`` with the name, the description and the whole membership
(Superset removes the members it does not list); objects of a kind the spec
does not manage (datasets) are sent back as they were. A delete is one
``DELETE tag/?q=!(name)``, which removes the tag's memberships with it.
"""

from __future__ import annotations

from typing import Any

from superset_iac.kinds.base import Context
from superset_iac.kinds.markers import split_marker, with_marker
from superset_iac.kinds.rest import RestHandler, WriteFailed, chunked, id_of
from superset_iac.model.base import Spec
from superset_iac.model.tag import MEMBER_KINDS, Tag
from superset_iac.plan.model import LiveObject
from superset_iac.superset.errors import TransientWriteError
from superset_iac.superset.wire import Filter

# Superset's object types (``ObjectType``) <-> the kinds a tag spec names.
KIND_OF_TYPE = {"dashboard": "dashboard", "chart": "chart", "query": "saved_query"}
TYPE_OF_KIND = {kind: type_ for type_, kind in KIND_OF_TYPE.items()}
CUSTOM: Filter = ("type", "custom_tag", True)


class TagHandler(RestHandler):
    spec_type = Tag
    resource = "tag"
    name_column = "name"
    columns = ("id", "name", "description", "type")

    # -- reading ---------------------------------------------------------------
    def read_rows(self, ctx: Context) -> list[dict[str, Any]]:
        if not ctx.filtered:
            return ctx.client.list(self.resource, filters=[CUSTOM], columns=list(self.columns))
        rows: list[dict[str, Any]] = []
        for names in chunked(sorted(ctx.named(self.kind))):
            rows += ctx.client.list(self.resource, filters=[CUSTOM, ("name", "in", names)],
                                    columns=list(self.columns))
        return rows

    def read(self, ctx: Context) -> dict[str, LiveObject]:
        rows = self.rows(ctx)
        members = self.members(ctx, [row["id"] for row in rows])
        for row in rows:
            row["objects"] = members.get(row["id"], [])
        return {row["name"]: self.live_object(ctx, row["name"], row) for row in rows}

    def members(self, ctx: Context, tag_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        """Tag id -> the objects it tags (``{"type", "id"}``)."""
        out: dict[int, list[dict[str, Any]]] = {}
        wanted = set(tag_ids)
        for ids in chunked([str(i) for i in tag_ids]):  # never empty: that would list every tag
            answer = ctx.client.get(f"{self.resource}/get_objects/", {"tagIds": ",".join(ids)})
            for obj in (answer or {}).get("result") or []:
                for tag in obj.get("tags") or []:
                    if tag.get("id") in wanted:
                        out.setdefault(tag["id"], []).append({"type": obj["type"],
                                                              "id": obj["id"]})
        return out

    def keys(self, ctx: Context, rows: list[dict[str, Any]]) -> list[str]:
        return [row["name"] for row in rows]  # unique in Superset

    def is_managed(self, row: dict[str, Any], key: str) -> bool:
        return split_marker(self.kind, row.get("description"))[1] == key

    def to_spec(self, ctx: Context, row: dict[str, Any], key: str | None = None) -> Tag:
        named: dict[str, list[str]] = {kind: [] for kind in MEMBER_KINDS.values()}
        for obj in row.get("objects") or []:
            kind = KIND_OF_TYPE.get(obj["type"])
            if kind is not None:
                named[kind].append(ctx.ids.key(kind, obj["id"]) or f"#{obj['id']}")
        return Tag.model_construct(name=row["name"],
                                   description=split_marker(self.kind, row.get("description"))[0],
                                   dashboards=sorted(named["dashboard"]),
                                   charts=sorted(named["chart"]),
                                   saved_queries=sorted(named["saved_query"]))

    # -- writing ---------------------------------------------------------------
    def to_payload(self, ctx: Context, spec: Spec, live: LiveObject | None = None) -> dict[str, Any]:
        assert isinstance(spec, Tag)
        objects = [[TYPE_OF_KIND[kind], id_of(ctx, kind, key)]
                   for kind, keys in spec.members().items() for key in sorted(set(keys))]
        kept = [[o["type"], o["id"]] for o in (live.raw.get("objects") or [] if live else [])
                if o["type"] not in KIND_OF_TYPE]
        return {"name": spec.name, "description": with_marker(self.kind, spec.description, spec.name),
                "objects_to_tag": objects + kept}

    def create(self, ctx: Context, spec: Spec) -> Any:
        try:
            ctx.client.post(f"{self.resource}/", self.to_payload(ctx, spec))
        except TransientWriteError:
            if self.landed(ctx, spec.key) is None:
                raise
        new_id = self.landed(ctx, spec.key)
        if new_id is None:
            raise WriteFailed(f"POST {self.resource}/ answered, but no custom tag "
                              f"'{spec.key}' is listed after it")
        self.register(ctx, spec.key, new_id, spec)
        return new_id

    def delete(self, ctx: Context, live: LiveObject) -> None:
        ctx.client.delete(f"{self.resource}/", {"q": [live.key]})
        ctx.ids.forget(self.kind, live.key)

    def landed(self, ctx: Context, key: str) -> Any:
        """The id of the custom tag ``key``, or None."""
        rows = ctx.client.list(self.resource, filters=[CUSTOM, ("name", "eq", key)],
                               columns=["id", "name"])
        return next((row["id"] for row in rows if row.get("name") == key), None)


HANDLER = TagHandler()
