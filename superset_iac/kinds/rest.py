"""What the handlers of Superset REST resources share.

A subclass names its ``resource`` (``chart``) and the list ``columns`` it
needs, says which key each list row stands for (``keys``), and converts in
both directions: ``to_spec`` (server JSON -> spec, ids resolved to names
through ``ctx.ids``) and ``to_payload`` (spec -> request body, names resolved
to ids).

Identity. Superset 6.1 returns ``uuid`` in every list but ``external_url``
nowhere (not in lists, details or exports), so an object created here gets
the uuid ``managed_uuid(kind, key)``: a row whose uuid is that of its own key
is managed, and only managed objects are ever pruned. The uuid is derived
from the key, hence the same in every environment, and survives any edit in
the UI. ``is_managed_externally``/``external_url`` are written as well, for
the UI only. (RLS rules have no uuid; that handler overrides ``is_managed``.)

Reading is the list endpoint, paged: one request per 100 objects; with
``ctx.filtered`` (a diff or apply without ``--prune``) only the rows the run
names (``named_rows``), so the cost follows the tree, not the server. A kind
whose list lacks compared fields sets ``detailed``: the objects this run
compares are read in full (``detail``), the others keep a ``summary`` spec.
The list rows depend on no other kind, so they are read ahead (``prefetch``,
beside the other kinds'); the details, the filtered lists' chunks and the
pages go side by side too (``client.concurrently``). Turning rows into specs
stays in order, after the kinds the specs name.

Writing: a create POSTs ``create_payload`` through ``post_once`` (an answer
lost on the way is looked up by the managed uuid, never POSTed again), an
update PUTs ``to_payload``, a delete DELETEs.

Two applies at once. Both plan the same create; the second POST is refused
(422: the name, slug or uuid is taken). Its managed uuid then names the object
the other run just made: the create adopts it (what the handler writes after
its POST still runs, so the content converges too) and the event says so. A
refusal with no such object is reported as it came.
"""

from __future__ import annotations

import json
import uuid
from contextlib import contextmanager
from typing import Any, Callable, ClassVar, Iterator

from superset_iac.errors import IacError
from superset_iac.kinds.base import Context, Handler, managed_url
from superset_iac.model.base import Spec
from superset_iac.plan.model import Change, LiveObject
from superset_iac.superset.errors import ApiError, TransientWriteError, redact


# Statuses Superset answers a create with when the object (its name, slug or
# uuid) already exists: its own checks answer 400/409/422; on PostgreSQL a
# duplicate that passes them at the same moment as another run's insert
# fails on the unique constraint and comes back as 500.
TAKEN_STATUSES = frozenset({400, 409, 422, 500})
CREATED_MEANWHILE = "created meanwhile by another run, adopted; re-run converges"


# Values per ``in`` filter, and their length: gunicorn refuses a request line
# over 4,094 bytes (its default limit_request_line), so 50 uuids (about 2.3 KB
# once URL-encoded) or fewer long names go in one request, with the columns.
FILTER_CHUNK = 50
FILTER_CHARS = 2000


def key_names(key: str) -> set[str]:
    """The names a key may stand for: itself and, for ``name [uuid or db.schema]``
    (one of several sharing a name, see ``chart_keys`` and the datasets'
    located names), ``name``; a name may end in brackets of its own."""
    head, sep, tail = key.rpartition(" [")
    return {key, head} if sep and tail.endswith("]") else {key}


def chunked(values: list[str]) -> Iterator[list[str]]:
    """``values`` in runs of at most ``FILTER_CHUNK`` and ``FILTER_CHARS``
    (a longer value goes alone)."""
    chunk: list[str] = []
    size = 0
    for value in values:
        if chunk and (len(chunk) == FILTER_CHUNK or size + len(value) + 3 > FILTER_CHARS):
            yield chunk
            chunk, size = [], 0
        chunk.append(value)
        size += len(value) + 3  # quotes and comma
    if chunk:
        yield chunk


def note(ctx: Context, ref: str, text: str) -> None:
    """Something the apply's event for ``ref`` should say although it succeeded."""
    ctx.cache.notes[ref] = text


def take_note(ctx: Context, ref: str) -> str:
    return ctx.cache.notes.pop(ref, "")


def adopted(ctx: Context, ref: str) -> bool:
    """Whether this run's create of ``ref`` found another run's object instead."""
    return ctx.cache.notes.get(ref) == CREATED_MEANWHILE


def create_once(ctx: Context, ref: str, send: Callable[[], Any],
                landed: Callable[[], Any]) -> Any:
    """``send`` a create and return the new id, without ever creating twice.

    When the answer is lost (``TransientWriteError``) the object may exist:
    it is looked up (``landed``, the id or None) before the error is let
    through. When the server refuses the create because the object exists,
    another run created it meanwhile: it is adopted (see the module docstring).
    """
    try:
        return send()
    except TransientWriteError:
        found = landed()
        if found is None:
            raise
        return found
    except ApiError as err:
        if err.status not in TAKEN_STATUSES:
            raise
        refused = err
    # Looked up outside the handler above, so that a lookup that fails is
    # reported as itself, not as something that happened during the refusal.
    found = landed()
    if found is None:
        raise refused
    note(ctx, ref, CREATED_MEANWHILE)
    return found


def managed_uuid(kind: str, key: str) -> str:
    """The uuid superset-iac gives the object ``kind/key`` when it creates it."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, managed_url(kind, key)))


def managed_fields(kind: str, key: str) -> dict[str, Any]:
    """Payload fields that show in the UI that superset-iac owns the object."""
    return {"is_managed_externally": True, "external_url": managed_url(kind, key)}


def json_object(text: Any) -> dict[str, Any]:
    """A JSON object Superset stores as a string (``params``, ``extra``,
    ``json_metadata``…) as a dict: {} when empty, invalid or not an object."""
    if isinstance(text, dict):
        return dict(text)
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def id_of(ctx: Context, kind: str, key: str) -> Any:
    """This environment's id for ``key``; ``#<id>`` (an object read without a key) is the id."""
    if isinstance(key, str) and key.startswith("#") and key[1:].isdigit():
        return int(key[1:])
    return ctx.ids.id(kind, key)


class WriteFailed(IacError):
    """A create, update or delete the server refused, named after the object."""


@contextmanager
def failing_as(what: str, secrets: tuple[str, ...] = ()) -> Iterator[None]:
    """Turn an ``ApiError`` into one ``WriteFailed`` line that starts with ``what``.

    The client already redacts URI passwords and its own credentials;
    ``secrets`` are further values (a database password) to keep out.
    """
    try:
        yield
    except ApiError as err:
        raise WriteFailed(f"{what}: {redact(str(err), secrets)}") from None


class RestHandler(Handler):
    resource: ClassVar[str]
    columns: ClassVar[tuple[str, ...]] = ()
    # The list lacks compared fields: read ``detail`` for what the run compares.
    detailed: ClassVar[bool] = False
    # The list column a key names (``slice_name``), filterable with ``in`` on
    # Superset 6.1; None: the kind is always read whole.
    name_column: ClassVar[str | None] = None

    # -- per kind ----------------------------------------------------------------
    def keys(self, ctx: Context, rows: list[dict[str, Any]]) -> list[str]:
        """The natural key of each list row, unique among them."""
        raise NotImplementedError

    def to_spec(self, ctx: Context, row: dict[str, Any], key: str | None = None) -> Spec:
        """The spec of a list row (or of its ``detail``) read as ``key``."""
        raise NotImplementedError

    def to_payload(self, ctx: Context, spec: Spec, live: LiveObject | None = None) -> dict[str, Any]:
        """The body that makes ``live`` (None: a new object) equal ``spec``."""
        raise NotImplementedError

    def detail(self, ctx: Context, object_id: Any) -> dict[str, Any]:
        raise NotImplementedError

    def summary(self, row: dict[str, Any]) -> Spec:
        """A spec for an object the run does not compare (never compared, enough to prune)."""
        raise NotImplementedError

    def is_managed(self, row: dict[str, Any], key: str) -> bool:
        return row.get("uuid") == managed_uuid(self.kind, key)

    def register(self, ctx: Context, key: str, object_id: Any, spec: Spec) -> None:
        """Record the id of ``key`` (kinds that others name by more than id add to it)."""
        ctx.ids.set(self.kind, key, object_id)

    # -- reading -----------------------------------------------------------------
    def prefetch(self, ctx: Context) -> None:
        ctx.cache.fetched[self.kind] = self.read_rows(ctx)

    def rows(self, ctx: Context) -> list[dict[str, Any]]:
        """The list rows: those ``prefetch`` read ahead, else read now."""
        ahead: list[dict[str, Any]] | None = ctx.cache.fetched.pop(self.kind, None)
        return self.read_rows(ctx) if ahead is None else ahead

    def read_rows(self, ctx: Context) -> list[dict[str, Any]]:
        if ctx.filtered and self.name_column is not None:
            return self.named_rows(ctx)
        return ctx.client.list(self.resource, columns=list(self.columns))

    def named_rows(self, ctx: Context) -> list[dict[str, Any]]:
        """The rows of the objects the run names, by id.

        First by managed uuid (what an object created here keeps through any
        rename in the UI), then by name for the keys no uuid found: on a
        server the tree was applied to, one request per kind and per
        ``FILTER_CHUNK`` objects, whatever else the server holds.
        """
        named = ctx.named(self.kind)
        by_uuid = {managed_uuid(self.kind, key): key for key in named} \
            if "uuid" in self.columns else {}
        rows = {row["id"]: row for row in self._rows_in(ctx, "uuid", sorted(by_uuid))}
        found = {by_uuid.get(row.get("uuid") or "") for row in rows.values()}
        missing = {key: spec for key, spec in named.items() if key not in found}
        for column, values in self.lookups(missing):
            for row in self._rows_in(ctx, column, values):
                rows.setdefault(row["id"], row)
        return [rows[i] for i in sorted(rows)]

    def lookups(self, missing: dict[str, Spec | None]) -> list[tuple[str, list[str]]]:
        """Which ``(column, values)`` find the keys ``missing`` (their names)."""
        assert self.name_column is not None
        return [(self.name_column, sorted({n for key in missing for n in key_names(key)}))]

    def _rows_in(self, ctx: Context, column: str, values: list[str]) -> list[dict[str, Any]]:
        found = ctx.client.concurrently(
            lambda chunk: ctx.client.list(self.resource, filters=[(column, "in", chunk)],
                                          columns=list(self.columns)),
            list(chunked(values)))
        return [row for rows in found for row in rows]

    def read(self, ctx: Context) -> dict[str, LiveObject]:
        rows = self.rows(ctx)
        return self.live_objects(ctx, list(zip(self.keys(ctx, rows), rows, strict=True)))

    def live_objects(self, ctx: Context,
                     keyed: list[tuple[str, dict[str, Any]]]) -> dict[str, LiveObject]:
        """Each ``(key, row)`` as its live object: the details side by side, then
        the specs one by one, in order."""
        wanted = [row for key, row in keyed if self.detailed and ctx.wants_detail(self.kind, key)]
        details = self.details(ctx, wanted)
        full = {row["id"]: detail for row, detail in zip(wanted, details, strict=True)}
        return {key: self.live_object(ctx, key, row, full.get(row["id"])) for key, row in keyed}

    def details(self, ctx: Context, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The detail of each list row, side by side (a kind may read many at once)."""
        return ctx.client.concurrently(lambda row: self.detail(ctx, row["id"]), rows)

    def live_object(self, ctx: Context, key: str, row: dict[str, Any],
                    detail: dict[str, Any] | None = None) -> LiveObject:
        """``row`` (with its ``detail``, if read) as the live object ``key``,
        registered in ``ctx.ids``."""
        if not self.detailed:
            full, spec = row, self.to_spec(ctx, row, key)
        elif ctx.wants_detail(self.kind, key):
            full = detail if detail is not None else self.detail(ctx, row["id"])
            spec = self.to_spec(ctx, full, key)
        else:
            full, spec = row, self.summary(row)
        self.register(ctx, key, row["id"], spec)
        return LiveObject(spec, row["id"], self.is_managed(row, key), full)

    # -- writing -----------------------------------------------------------------
    def create_payload(self, ctx: Context, spec: Spec) -> dict[str, Any]:
        """The POST body: the object, its managed uuid and the UI's marker."""
        return {**self.to_payload(ctx, spec), **managed_fields(self.kind, spec.key),
                "uuid": managed_uuid(self.kind, spec.key)}

    def create(self, ctx: Context, spec: Spec) -> Any:
        new_id = self.post_once(ctx, spec.key, self.create_payload(ctx, spec))
        self.register(ctx, spec.key, new_id, spec)
        return new_id

    def update(self, ctx: Context, change: Change) -> None:
        assert change.live is not None and change.desired is not None
        ctx.client.put(f"{self.resource}/{change.live.id}",
                       self.to_payload(ctx, change.desired, change.live))

    def delete(self, ctx: Context, live: LiveObject) -> None:
        ctx.client.delete(f"{self.resource}/{live.id}")
        ctx.ids.forget(self.kind, live.key)

    def post_once(self, ctx: Context, key: str, payload: dict[str, Any]) -> Any:
        """POST a create and return the new id, without ever creating twice
        (``create_once``, the object looked up by ``landed``)."""
        return create_once(ctx, f"{self.kind}/{key}", lambda: self.send_create(ctx, key, payload),
                           lambda: self.landed(ctx, key))

    def send_create(self, ctx: Context, key: str, payload: dict[str, Any]) -> Any:
        """The create's request(s), returning the new id: a POST of ``payload``
        (a kind whose POST cannot carry its uuid imports it instead)."""
        return ctx.client.post(f"{self.resource}/", payload)["id"]

    def landed(self, ctx: Context, key: str) -> Any:
        """The id of the object created here as ``key``, or None."""
        try:
            return ctx.client.get_by_id(self.resource, managed_uuid(self.kind, key))["id"]
        except ApiError as err:
            if err.status == 404:
                return None
            raise
