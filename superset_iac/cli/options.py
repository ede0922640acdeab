"""Options shared by several commands."""

from __future__ import annotations

from typing import Any, Callable

import click

# Not from the client's modules: ``validate`` parses these options too and
# never needs the HTTP stack.
from superset_iac.superset.timeouts import DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT

F = Callable[..., Any]


def assets_options(fn: F) -> F:
    return format_option(_tree_options(fn))


def plan_assets_options(fn: F) -> F:
    """``assets_options`` for the commands that show a plan: Markdown too, for
    a pull-request comment."""
    fn = _tree_options(fn)
    return click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
                        default="text", show_default=True,
                        help="Output format (markdown: a pull-request comment).")(fn)


def _tree_options(fn: F) -> F:
    fn = click.option("--assets", "assets", default="assets", show_default=True,
                      envvar="SUPERSET_IAC_ASSETS", type=click.Path(file_okay=False),
                      help="Asset tree directory.")(fn)
    return click.option("--env", "env_name", envvar="SUPERSET_IAC_ENV", default=None,
                        help="Environment defined in <assets>/environments/.")(fn)


def format_option(fn: F) -> F:
    return click.option("--format", "fmt", type=click.Choice(["text", "json"]),
                        default="text", show_default=True, help="Output format.")(fn)


def connection_options(fn: F) -> F:
    opts = [
        click.option("--url", envvar="SUPERSET_URL", help="Superset base URL [SUPERSET_URL]."),
        click.option("--username", envvar="SUPERSET_USERNAME",
                     help="Superset user [SUPERSET_USERNAME]."),
        click.option("--password", envvar="SUPERSET_PASSWORD", show_envvar=False,
                     help="Password; prefer the SUPERSET_PASSWORD variable."),
        click.option("--access-token", envvar="SUPERSET_ACCESS_TOKEN",
                     help="Bearer token instead of a password (SSO) "
                          "[SUPERSET_ACCESS_TOKEN]."),
        click.option("--insecure", is_flag=True,
                     help="Do not verify TLS certificates (local testing only)."),
        click.option("--timeout", type=click.FloatRange(min=0.1), envvar="SUPERSET_IAC_TIMEOUT",
                     default=DEFAULT_TIMEOUT, show_default=True, metavar="SECONDS",
                     help="Wait at most this long for each answer from Superset "
                          "[SUPERSET_IAC_TIMEOUT]; a request that times out is not repeated."),
        click.option("--concurrency", type=click.IntRange(min=1), envvar="SUPERSET_IAC_CONCURRENCY",
                     default=DEFAULT_CONCURRENCY, show_default=True, metavar="N",
                     help="Send at most N requests to Superset at once, for reads that do "
                          "not depend on each other [SUPERSET_IAC_CONCURRENCY]; 1 sends one "
                          "after another."),
    ]
    for opt in reversed(opts):
        fn = opt(fn)
    return fn


def target_option(fn: F) -> F:
    return click.option("--target", "targets", multiple=True, metavar="KIND/NAME",
                        help="Limit to these objects (repeatable), e.g. chart/Price.")(fn)
