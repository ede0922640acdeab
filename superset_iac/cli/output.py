"""How results reach the terminal, and the one place that picks exit codes."""

from __future__ import annotations

import functools
import os
import sys
from typing import Any, Callable

import click

from superset_iac.diagnostics import printable
from superset_iac.errors import AssetError, ConfigError, IacError
from superset_iac.exitcodes import ExitCode
from superset_iac.secrets import redact


def use_colour(stream: Any = None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def exit_with(code: ExitCode) -> None:
    raise SystemExit(int(code))


def error(message: str, more: tuple[str, ...] = ()) -> None:
    """One line on stderr, then ``more`` lines below it: control characters in
    each (a file name, a server's answer) are escaped, so none can forge or
    hide lines."""
    prefix = click.style("error:", fg="red", bold=True) if use_colour(sys.stderr) else "error:"
    click.echo(f"{prefix} {printable(redact(message))}", err=True)
    for line in more:
        click.echo(printable(redact(line)), err=True)


def _code_for(err: Exception) -> ExitCode:
    if isinstance(err, (ConfigError, click.UsageError)):
        return ExitCode.USAGE
    if isinstance(err, AssetError):
        return ExitCode.PROBLEMS
    return ExitCode(getattr(err, "exit_code", ExitCode.PROBLEMS))


def handle_errors(fn: Callable[..., ExitCode]) -> Callable[..., None]:
    """Run a command; turn its result or expected failure into an exit code.

    Commands return an ``ExitCode``; expected failures (``IacError`` and the
    client's API errors) become one line on stderr. Anything else is a bug and
    keeps its traceback.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = fn(*args, **kwargs)
        except IacError as err:
            error(str(err), err.lines)
            code = _code_for(err)
        except KeyboardInterrupt:
            error("interrupted")
            code = ExitCode.PROBLEMS
        exit_with(code)

    return wrapper
