"""``superset-iac schema``: a JSON Schema per asset directory, for editors.

Written from the typed specs (``model/json_schema.py``); files that already
hold the same schema are left untouched, so running it twice changes
nothing. ``--check`` writes nothing and exits 1 when a file is missing or
differs (a CI step that keeps committed schemas current).
"""

from __future__ import annotations

from pathlib import Path

import click

from superset_iac.cli.output import handle_errors
from superset_iac.errors import ConfigError
from superset_iac.exitcodes import ExitCode
from superset_iac.model.json_schema import schemas


@click.command()
@click.option("--out", "out", default="schemas", show_default=True,
              type=click.Path(file_okay=False), help="Directory to write the schemas into.")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 if a schema file is missing or out of date.")
@handle_errors
def schema(out: str, check: bool) -> ExitCode:
    """Write a JSON Schema for each kind's files (charts.schema.json, ...).

    Point your editor's YAML support at them to get completion and errors as
    you type; see the README ("Help in the editor").
    """
    root = Path(out)
    stale = []
    for name, text in schemas().items():
        path = root / name
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            click.echo(f"= {path}")
            continue
        stale.append(path)
        if check:
            click.echo(f"{'~' if current is not None else '+'} {path} (out of date)")
            continue
        try:
            root.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as err:
            raise ConfigError(f"cannot write {path}: {err.strerror}") from None
        click.echo(f"{'~' if current is not None else '+'} {path}")
    if check and stale:
        click.echo(f"{len(stale)} schema file(s) out of date: run superset-iac schema "
                   f"--out {out}", err=True)
        return ExitCode.PROBLEMS
    return ExitCode.OK
