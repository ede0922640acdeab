"""Exceptions that end a command with a one-line message, never a traceback.

The CLI maps each family to an exit code in ``cli/output.py``; nothing else
decides how the process ends.
"""

from __future__ import annotations


class IacError(Exception):
    """Base class: ``str(err)`` is the one line the user sees.

    An error that needs more than one line (a list of reasons) keeps them in
    ``lines``: the output escapes each on its own, so no part of one can start
    a line of its own (see ``cli.output.error``).
    """

    lines: tuple[str, ...] = ()


class ConfigError(IacError):
    """Bad options, environment or credentials (exit 2)."""


class AssetError(IacError):
    """The asset tree is unusable (exit 1); details are in diagnostics."""


class ApplyFailed(IacError):
    """An apply finished with at least one failed change (exit 1)."""
