"""The ``paravec`` command line: one module per command, each a thin layer over the library.

Every command module registers itself on `app`. `main` turns a
`paravec.errors.ParavecError` into one line on stderr and exit code 2, so users never see a
traceback for a mistake they can fix.
"""

from __future__ import annotations

import importlib
import sys

import typer

from paravec.errors import ParavecError

app = typer.Typer(
    name="paravec",
    help="Add documents and words to a pretrained gensim Doc2Vec model, check it, and search it. "
    "gensim model files are pickles: a command given one runs any code it carries, so give only files "
    "you trust; a store (paravec store) keeps models pickle-free.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_COMMAND_MODULES = (
    "train",
    "update",
    "check",
    "info",
    "similar",
    "demo",
    "evaluate",
    "index",
    "search",
    "explore",
    "serve",
    "store",
    "export",
)


def _register_commands() -> None:
    for name in _COMMAND_MODULES:
        try:
            importlib.import_module(f"paravec.cli.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"paravec.cli.{name}":
                raise


_register_commands()


def main() -> None:
    """Entry point of the ``paravec`` console script."""
    try:
        app()
    except ParavecError as err:
        typer.secho(f"error: {err}", fg=typer.colors.RED, err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
