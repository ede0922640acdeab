"""Annotation layers and their annotations: ``/api/v1/annotation_layer/`` and
``/api/v1/annotation_layer/<pk>/annotation/``.

Reading. The layer list (``id``, ``name``, ``descr``) is one request per 100
layers (without ``--prune``, one per 50 layers the run names, filtered by
name). The annotations are read only for the layers the run compares (every
layer for an export): the annotation list lacks ``json_metadata``, which
only ``GET …/annotation/<id>`` returns, so a compared layer costs

    ceil(annotations / 100) list pages + 1 detail read per annotation.

Identity. Layers have no uuid and no ``external_url``; like RLS rules they
carry the managed marker as the last line of their ``descr`` (``marker.py``),
which ``to_spec`` strips. Only a layer whose marker names its own name is
managed, so only such a layer is ever pruned. An annotation is matched by its
``short_descr`` within its layer (the server keeps it unique there).

Writing. A create POSTs the layer, then each annotation; if one is refused
the new layer is removed again (``rollback.finish_or_remove``), so nothing
is left half made. An update changes what differs, minimally: a PUT of the
layer only when its name or description changed, then the annotations the
tree no longer has are deleted (one bulk DELETE), the changed ones PUT, the
new ones POSTed, in that order so a name freed by a removal can be taken
again. Each request is one transaction on the server; an update refused
half-way leaves the requests before it done, and the next apply converges.
A delete (``--prune``) removes the layer's annotations first: Superset
refuses to delete a layer that still has some.
"""

from __future__ import annotations

import json
from typing import Any

from superset_iac.kinds.base import Context, ExportFlag
from superset_iac.kinds.markers import MarkedHandler, split_marker, with_marker
from superset_iac.kinds.rest import json_object
from superset_iac.kinds.rollback import finish_or_remove
from superset_iac.model.annotation_layer import Annotation, AnnotationLayer, normal_time
from superset_iac.model.base import Spec
from superset_iac.plan.model import Change, LiveObject

KIND = AnnotationLayer.KIND


def annotations_path(layer_id: Any) -> str:
    return f"annotation_layer/{layer_id}/annotation"


def annotation_payload(annotation: Annotation) -> dict[str, Any]:
    """The body of an annotation's POST or PUT (Superset's ``AnnotationPostSchema``)."""
    return {"short_descr": annotation.name, "long_descr": annotation.description,
            "start_dttm": annotation.start, "end_dttm": annotation.until,
            # None, not "": the server validates a string as JSON
            "json_metadata": json.dumps(annotation.metadata, sort_keys=True)
            if annotation.metadata else None}


def to_annotation(row: dict[str, Any]) -> Annotation:
    """An annotation as the server returns it (``GET …/annotation/<id>``)."""
    start, end = _time(row.get("start_dttm")), _time(row.get("end_dttm"))
    return Annotation.model_construct(
        name=row.get("short_descr") or "", start=start, end=None if end == start else end,
        description=row.get("long_descr") or None, metadata=json_object(row.get("json_metadata")))


def _time(value: Any) -> str:
    try:
        return normal_time(str(value))
    except ValueError:
        return str(value or "")  # kept as stored: the plan shows it against the tree's


class AnnotationLayerHandler(MarkedHandler):
    spec_type = AnnotationLayer
    export_flag = ExportFlag("--annotation-layers", "Export annotation layers (with their "
                                                    "annotations).")
    resource = "annotation_layer"
    name_column = "name"
    columns = ("id", "name", "descr")

    # -- reading ---------------------------------------------------------------
    def keys(self, ctx: Context, rows: list[dict[str, Any]]) -> list[str]:
        return [row["name"] for row in rows]  # unique in Superset

    def is_managed(self, row: dict[str, Any], key: str) -> bool:
        return split_marker(KIND, row.get("descr"))[1] == key

    def live_object(self, ctx: Context, key: str, row: dict[str, Any],
                    detail: dict[str, Any] | None = None) -> LiveObject:
        """With its annotations when the run compares the layer (see the module
        docstring); layers are not ``detailed``, so ``detail`` is never given."""
        if ctx.wants_detail(self.kind, key):
            row = {**row, "annotations": self.annotation_rows(ctx, row["id"])}
        spec = self.to_spec(ctx, row, key)
        self.register(ctx, key, row["id"], spec)
        return LiveObject(spec, row["id"], self.is_managed(row, key), row)

    def annotation_rows(self, ctx: Context, layer_id: Any) -> list[dict[str, Any]]:
        path = annotations_path(layer_id)
        # by id, sorted here: the annotation list cannot be ordered by id (400)
        listed = sorted(a["id"] for a in ctx.client.list(path, columns=["id"]))
        # the details depend on nothing but their ids: side by side
        details = ctx.client.concurrently(lambda aid: ctx.client.get(f"{path}/{aid}"), listed)
        return [{**detail["result"], "id": aid} for aid, detail in zip(listed, details, strict=True)]

    def to_spec(self, ctx: Context, row: dict[str, Any], key: str | None = None) -> AnnotationLayer:
        annotations = sorted((to_annotation(a) for a in row.get("annotations") or []),
                             key=lambda a: (a.start, a.name))
        return AnnotationLayer.model_construct(
            name=row["name"], description=split_marker(KIND, row.get("descr"))[0],
            annotations=annotations)

    # -- writing ---------------------------------------------------------------
    def to_payload(self, ctx: Context, spec: Spec, live: LiveObject | None = None) -> dict[str, Any]:
        assert isinstance(spec, AnnotationLayer)
        return {"name": spec.name, "descr": with_marker(KIND, spec.description, spec.name)}

    def create(self, ctx: Context, spec: Spec) -> Any:
        assert isinstance(spec, AnnotationLayer)
        new_id = super().create(ctx, spec)
        finish_or_remove(ctx, self, spec, new_id,
                         lambda: self.sync(ctx, new_id, self.annotation_rows(ctx, new_id),
                                           spec.annotations),
                         f"annotation layer '{spec.name}' was created, but its annotations "
                         "could not be written")
        return new_id

    def update(self, ctx: Context, change: Change) -> None:
        spec, live = change.desired, change.live
        assert isinstance(spec, AnnotationLayer) and live is not None
        before = live.spec
        assert isinstance(before, AnnotationLayer)
        if (before.name, before.description or None, live.managed) != \
                (spec.name, spec.description or None, True):
            ctx.client.put(f"{self.resource}/{live.id}", self.to_payload(ctx, spec, live))
        self.sync(ctx, live.id, live.raw.get("annotations") or [], spec.annotations)

    def sync(self, ctx: Context, layer_id: Any, rows: list[dict[str, Any]],
             wanted: list[Annotation]) -> None:
        """Make the layer's annotations (``rows`` as read) those ``wanted``, by name."""
        path = annotations_path(layer_id)
        want = {a.name: a for a in wanted}
        have = {row.get("short_descr"): row for row in rows}
        gone = sorted(row["id"] for name, row in have.items() if name not in want)
        if gone:
            ctx.client.delete(f"{path}/", params={"q": gone})
        for name, annotation in want.items():
            row = have.get(name)
            if row is None:
                ctx.client.post(f"{path}/", annotation_payload(annotation))
            elif to_annotation(row).canonical() != annotation.canonical():
                ctx.client.put(f"{path}/{row['id']}", annotation_payload(annotation))

    def delete(self, ctx: Context, live: LiveObject) -> None:
        """The annotations first (one bulk DELETE): the server keeps a layer that has any."""
        ids = [row["id"] for row in ctx.client.list(annotations_path(live.id), columns=["id"])]
        if ids:
            ctx.client.delete(f"{annotations_path(live.id)}/", params={"q": ids})
        super().delete(ctx, live)


HANDLER = AnnotationLayerHandler()
