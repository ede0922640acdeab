"""A handler that records what apply asks of it, for engine and CLI tests."""

from __future__ import annotations

from typing import Any

from superset_iac.errors import IacError
from superset_iac.kinds.base import Context, Handler
from superset_iac.model import Dataset


class Recorder(Handler):
    """Reads nothing; ``fail`` keys raise the one-line error a refused POST
    gives, ``interrupt`` keys a Ctrl-C."""

    def __init__(self, spec_type: type, fail: set[str] = frozenset(),
                 interrupt: set[str] = frozenset()) -> None:
        self.spec_type, self.fail, self.interrupt = spec_type, fail, interrupt
        self.calls: list[str] = []

    def read(self, ctx: Context) -> dict:
        return {}

    def create(self, ctx: Context, spec: Any) -> int:
        if spec.key in self.interrupt:
            raise KeyboardInterrupt
        self.calls.append(f"create {spec.key}")
        if spec.key in self.fail:
            raise IacError(f"POST /api/v1/{self.kind}/ → 422: bad {spec.key}")
        return 1

    def update(self, ctx: Context, change: Any) -> None:
        self.calls.append(f"update {change.key}")

    def delete(self, ctx: Context, live: Any) -> None:
        self.calls.append(f"delete {live.key}")


def dataset(name: str) -> Dataset:
    return Dataset.model_validate({"name": name, "database": "lake", "schema": "s",
                                   "sql": "select 1"})
