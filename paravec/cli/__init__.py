"""The ``paravec`` command line: one module per command, each a thin layer over the library.

Every command module registers itself on `app`. `main` turns a
`paravec.errors.ParavecError` into one line on stderr and exit code 2, so users never see a
traceback for a mistake they can fix.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import inspect
import sys

import typer
from typer.models import ParameterInfo

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
    "infer",
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
    # typer checks every Path for readability and prints a usage box when it fails; paravec's own
    # readers say in one line which file cannot be read and why.
    for command in app.registered_commands:
        for param in inspect.signature(command.callback).parameters.values():  # type: ignore[arg-type]
            if isinstance(param.default, ParameterInfo):
                param.default.readable = False


_register_commands()


def main() -> None:
    """Entry point of the ``paravec`` console script."""
    # At exit the interpreter collects every object the imports made (gensim's and scipy's: ~0.2 s
    # of CPU, a sixth of `paravec check`); frozen objects are skipped. Run at exit only, so a
    # process that calls main() and goes on (the tests) keeps its collector as it was.
    atexit.register(gc.freeze)
    try:
        app()
    except ParavecError as err:
        typer.secho(f"error: {err}", fg=typer.colors.RED, err=True)
        sys.exit(2)
    except OSError as err:
        # The file system refused what a command checked it could do (a folder made read-only in
        # the meantime, a full disk): still one line.
        where = f"{err.filename}: " if err.filename else ""
        typer.secho(f"error: {where}{err.strerror or err}", fg=typer.colors.RED, err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
