"""A kind with no behaviour of its own gets the defaults of every hook; the
kinds that have some say it in their own spec or handler."""

from __future__ import annotations

from typing import Any

from superset_iac.diagnostics import Diagnostics
from superset_iac.kinds.base import Context, Handler, Rewrite
from superset_iac.kinds.registry import HANDLERS
from superset_iac.load.tree import _raw_key
from superset_iac.model import Dashboard, Database, Dataset, Role, User
from superset_iac.model.base import Link, Ref, Spec
from superset_iac.plan.model import Change, LiveObject


class Note(Spec):
    KIND = "note"
    name: str
    dataset: str

    @property
    def key(self) -> str:
        return self.name

    def refs(self) -> list[Ref]:
        return [Ref("dataset", self.dataset, ("dataset",))]


class NoteHandler(Handler):
    spec_type = Note

    def read(self, ctx: Context) -> dict[str, LiveObject]:
        return {}

    def create(self, ctx: Context, spec: Spec) -> Any:
        return None

    def update(self, ctx: Context, change: Change) -> None:
        return None

    def delete(self, ctx: Context, live: LiveObject) -> None:
        return None


def test_a_plain_kind_gets_every_default() -> None:
    note = Note(name="n", dataset="d")
    diags = Diagnostics()
    assert note.resolved(None, {}, diags) is note and not len(diags)
    assert note.checked_refs() == note.refs()
    assert note.findings(lambda kind, key: None) == []
    assert note.lineage() == [Link("dataset/d", "note/n", "feeds")]
    assert note.export_under() is None
    assert note.missing_for_create() == []
    assert _raw_key(Note, {"name": "n"}) == "n"
    handler = NoteHandler()
    data = {"name": "n", "dataset": "d"}
    assert handler.export_form(note) is note
    assert handler.export_fresh(note, data) is data
    assert handler.export_merged(note, data, Rewrite(note, data, set(), None)) is data
    assert handler.export_variables(note) == []
    assert handler.not_exported is None and handler.export_flag is None


def test_the_kinds_hooks_say_what_the_stages_used_to_branch_on() -> None:
    assert _raw_key(Dashboard, {"title": "Sales"}) == "Sales"
    assert _raw_key(User, {"username": "alice"}) == "alice"
    assert "Admin" in Role.BUILT_IN_KEYS
    assert Dataset(name="t", database="lake").export_under() == Ref("database", "lake")
    db = Database(name="lake", uri="postgresql://u:pw@h/db")
    data = HANDLERS["database"].export_fresh(db, {"name": "lake", "uri": db.uri})
    assert data["uri"] == "postgresql://u:${LAKE_PASSWORD}@h/db"
    written = Database(name="lake", uri="postgresql://u:${LAKE_PASSWORD}@h/db")
    assert HANDLERS["database"].export_variables(written) == ["LAKE_PASSWORD"]
    user = User(username="a", first_name="A", last_name="B", email="a@x",
                password="${A_PASSWORD}")
    assert user.resolved(None, {}, Diagnostics()).missing_for_create() == [
        (("password",), "A_PASSWORD")]
