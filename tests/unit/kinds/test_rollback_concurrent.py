"""A create's follow-up that meets another run's writes converges, never deletes."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from superset_iac.kinds.rest import CREATED_MEANWHILE, WriteFailed
from superset_iac.kinds.rollback import finish_or_remove
from superset_iac.superset.errors import ApiError


class Handler:
    kind = "dataset"

    def __init__(self) -> None:
        self.deleted: list[Any] = []

    def delete(self, ctx: Any, live: Any) -> None:
        self.deleted.append(live.id)


SPEC = SimpleNamespace(key="x")


def context(**notes: str) -> Any:
    return SimpleNamespace(cache=SimpleNamespace(notes=dict(notes)))


def conflict() -> ApiError:
    return ApiError("PUT", "/api/v1/dataset/14", 422, "metrics: One or more metrics already exist")


def test_a_conflict_with_another_runs_writes_is_tried_once_more_and_nothing_is_removed() -> None:
    handler, calls = Handler(), []

    def finish() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise conflict()

    finish_or_remove(context(), handler, SPEC, 14, finish, "dataset 'x' was created")  # type: ignore[arg-type]
    assert len(calls) == 2 and handler.deleted == []


def test_any_other_failure_removes_the_new_object() -> None:
    handler = Handler()

    def finish() -> None:
        raise ApiError("PUT", "/api/v1/dataset/14", 500, "Fatal error")

    with pytest.raises(WriteFailed, match="removed again"):
        finish_or_remove(context(), handler, SPEC, 14, finish, "dataset 'x' was created")  # type: ignore[arg-type]
    assert handler.deleted == [14]


def test_an_object_another_run_created_is_never_removed() -> None:
    """Adopted by ``post_once``: the other run may be writing its charts or
    permissions right now; removing it would undo that run's create too."""
    handler = Handler()

    def finish() -> None:
        raise ApiError("PUT", "/api/v1/dataset/14", 500, "Fatal error")

    ctx = context(**{"dataset/x": CREATED_MEANWHILE})
    with pytest.raises(WriteFailed, match="another run created it .* the next apply finishes it"):
        finish_or_remove(ctx, handler, SPEC, 14, finish, "dataset 'x' was created")  # type: ignore[arg-type]
    assert handler.deleted == []


def test_superset_s_generic_update_failure_beside_another_run_is_tried_once_more() -> None:
    """"Dataset could not be updated." is the database refusing the transaction
    (a lock, a unique constraint) while the other run writes the same rows."""
    handler, calls = Handler(), []

    def finish() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise ApiError("PUT", "/api/v1/dataset/14", 422, "Dataset could not be updated.")

    finish_or_remove(context(), handler, SPEC, 14, finish, "dataset 'x' was created")  # type: ignore[arg-type]
    assert len(calls) == 2 and handler.deleted == []
