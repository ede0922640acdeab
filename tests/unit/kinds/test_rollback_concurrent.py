"""A create's follow-up that meets another run's writes converges, never deletes."""

from __future__ import annotations

from typing import Any

import pytest

from superset_iac.kinds.rest import WriteFailed
from superset_iac.kinds.rollback import finish_or_remove
from superset_iac.superset.errors import ApiError


class Handler:
    def __init__(self) -> None:
        self.deleted: list[Any] = []

    def delete(self, ctx: Any, live: Any) -> None:
        self.deleted.append(live.id)


def conflict() -> ApiError:
    return ApiError("PUT", "/api/v1/dataset/14", 422, "metrics: One or more metrics already exist")


def test_a_conflict_with_another_runs_writes_is_tried_once_more_and_nothing_is_removed() -> None:
    handler, calls = Handler(), []

    def finish() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise conflict()

    finish_or_remove(None, handler, None, 14, finish, "dataset 'x' was created")  # type: ignore[arg-type]
    assert len(calls) == 2 and handler.deleted == []


def test_any_other_failure_removes_the_new_object() -> None:
    handler = Handler()

    def finish() -> None:
        raise ApiError("PUT", "/api/v1/dataset/14", 500, "Fatal error")

    with pytest.raises(WriteFailed, match="removed again"):
        finish_or_remove(None, handler, None, 14, finish, "dataset 'x' was created")  # type: ignore[arg-type]
    assert handler.deleted == [14]
