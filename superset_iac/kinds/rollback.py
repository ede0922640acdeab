"""Creates that take more than one request: all of it, or nothing left behind.

Superset makes some objects in two steps (a dashboard's POST cannot link its
charts, a role's POST cannot carry its permissions, a dataset's POST cannot
set its columns' attributes). Each request is one transaction on the server,
but a failure between two of them would leave a new object that is neither
absent nor as declared: a dashboard without charts, a role with no
permission, a dataset without its metrics. ``finish_or_remove`` deletes the
new object when a later step fails, so the apply reports one failure and the
server looks as it did before; a next apply creates it afresh.

An object another run created meanwhile (adopted by ``rest.create_once``) is never
removed: that run is still building on it, and removing it would undo its
work too. The failure is reported and the next apply finishes the object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from superset_iac.errors import IacError
from superset_iac.kinds.base import Context, Handler
from superset_iac.kinds.rest import WriteFailed, adopted
from superset_iac.model.base import Spec
from superset_iac.plan.model import LiveObject
from superset_iac.superset.errors import redact


def finish_or_remove(ctx: Context, handler: Handler, spec: Spec, new_id: Any,
                     finish: Callable[[], None], what: str) -> None:
    """Run ``finish`` (the requests after the POST of ``spec``); if one fails,
    delete the object just created and raise one ``WriteFailed`` line."""
    try:
        _finish(finish)
    except IacError as err:
        reason = redact(str(err))
        if adopted(ctx, f"{handler.kind}/{spec.key}"):
            raise WriteFailed(f"{what}: {reason}; another run created it and may still be "
                              "writing it, so it was left: the next apply finishes it") from None
        try:
            handler.delete(ctx, LiveObject(spec, new_id, True))
        except IacError as undo:
            raise WriteFailed(f"{what}: {reason}; removing it again failed too "
                              f"({redact(str(undo))}): the next apply finishes it") from None
        raise WriteFailed(f"{what}: {reason}; it was removed again, nothing is left") from None


def _finish(finish: Callable[[], None]) -> None:
    """``finish``, once more after a conflict: another run that adopted the new
    object (two applies at once) may have set the same columns, metrics or
    permissions between our POST and our next request. ``finish`` reads the
    object again first, so the second try converges on what is there instead
    of deleting an object the other run is building on."""
    try:
        finish()
    except IacError as err:
        if not _concurrent(err):
            raise
        finish()


# What Superset answers when a write met another transaction's on the same rows:
# its duplicate checks, and its generic update failure (the database refused
# the transaction: a lock on SQLite, a unique constraint on PostgreSQL).
_CONFLICTS = ("already exist", "could not be updated.")


def _concurrent(err: IacError) -> bool:
    return getattr(err, "status", None) in (409, 422) and any(c in str(err) for c in _CONFLICTS)
