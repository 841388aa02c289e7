"""``paravec serve``: the HTTP API and the search page over an index or a store, on one port.

A thin layer over `paravec.service.create_app`, run with uvicorn. Given a store
(`paravec.Store`) it serves the store's current version, loading only the store's pickle-free
models, and follows the store when another process publishes or rolls back. The service is
read-only unless asked for writes explicitly with ``--token-env NAME`` (the environment variable
holding the token); then ``POST /api/documents`` accepts new documents with
``Authorization: Bearer <token>``. A ``PARAVEC_TOKEN`` in the environment alone does not turn
writes on. The start-up output says whether writes are on.

Examples
--------
.. code-block:: console

    $ paravec serve lee.index --port 8000
    $ paravec serve lee.store                                 # follows the store's versions
    $ export PARAVEC_TOKEN=$(python -c 'import secrets; print(secrets.token_urlsafe(32))')
    $ paravec serve lee.store --token-env PARAVEC_TOKEN       # writable
"""

from __future__ import annotations

import ipaddress
import os
from typing import Annotated

import typer

from paravec.cli import app
from paravec.errors import ParameterError, ParavecError

_MAX_REQUEST_HEAD_BYTES = 2 * 1_048_576
_USUAL_TOKEN_ENV = "PARAVEC_TOKEN"


@app.command()
def serve(
    index: Annotated[
        str,
        typer.Argument(
            help="Index folder written by `paravec index`, a store (`paravec store init`), "
            "or the PostgreSQL URI of an index.",
            show_default=False,
        ),
    ],
    host: Annotated[
        str, typer.Option(help="Address to listen on; 127.0.0.1 keeps it on this machine.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    token_env: Annotated[
        str | None,
        typer.Option(
            help="Turn writes (POST /api/documents) on, with the token held by this environment "
            "variable. Without it the service is read-only, whatever the environment holds.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Over a store: publish writes through the service even when their verification "
            "fails (as `paravec store update --force`); without it such a write is stored as "
            "rejected and answered 409.",
        ),
    ] = False,
    # The default is the service's; it is not imported here, since the service (fastapi) is an
    # optional extra that this module must not need to list its options.
    max_body_bytes: Annotated[
        int | None,
        typer.Option(
            min=1, show_default="1 MiB", help="Largest request body accepted (bytes); larger gets 413."
        ),
    ] = None,
) -> None:
    """Serve the search page and the HTTP API (docs at /docs and /redoc, schema at /openapi.json).

    Given a store, serves its current version and switches when another process publishes or
    rolls back; every answer names its version in the Paravec-Version header.
    """
    try:
        import uvicorn

        from paravec.service import DEFAULT_MAX_BODY_BYTES, create_app
    except ModuleNotFoundError as err:
        raise ParavecError(
            f"paravec serve needs the optional package {err.name!r}; "
            "install it with: pip install 'paravec[serve]'"
        ) from err
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from paravec.search.pgsql import is_dsn, shown_dsn

    token = _token(token_env)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True
    ) as progress:
        progress.add_task(f"opening {shown_dsn(index) if is_dsn(index) else index}", total=None)
        web_app = create_app(
            index,
            token=token,
            max_body_bytes=max_body_bytes or DEFAULT_MAX_BODY_BYTES,
            write_options={"force": True} if force else None,
        )

    served = web_app.state.served
    typer.echo(f"serving {served.source.description}, version {served.current.version}", err=True)
    if token is None:
        ignored = (
            f" (${_USUAL_TOKEN_ENV} is set but ignored: writes need --token-env {_USUAL_TOKEN_ENV})"
            if os.environ.get(_USUAL_TOKEN_ENV)
            else ""
        )
        typer.echo(
            f"writes: off, read-only{ignored}; to accept POST /api/documents start with "
            "--token-env VARIABLE naming an environment variable that holds a secret token",
            err=True,
        )
    else:
        typer.echo(
            f"writes: ON: POST /api/documents accepts documents with the token in ${token_env}", err=True
        )
    if token is not None and not _is_loopback(host):
        typer.secho(
            f"warning: listening on {host} without TLS; the write token travels in clear text. "
            "Put the service behind an HTTPS proxy or use --host 127.0.0.1.",
            fg=typer.colors.YELLOW,
            err=True,
        )
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"listening at http://{shown}:{port}/  (API docs: /docs, /redoc)", err=True)
    uvicorn.run(
        web_app,
        host=host,
        port=port,
        log_level="info",
        server_header=False,
        # h11 drops request heads over 16 KiB with a bare "400 Invalid HTTP request"; allowing up
        # to Chromium's URL limit lets the app answer an over-long query with its JSON 414.
        http="h11",
        h11_max_incomplete_event_size=_MAX_REQUEST_HEAD_BYTES,
    )


def _token(token_env: str | None) -> str | None:
    """The write token: only when ``--token-env`` asked for writes, and then it must be set."""
    if token_env is None:
        return None
    token = os.environ.get(token_env, "").strip()
    if not token:
        raise ParameterError(
            f"--token-env {token_env} asks for writes but the environment variable ${token_env} is "
            f"not set or empty; set it to a secret (export {token_env}=$(python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))')) or leave out --token-env to serve read-only"
        )
    return token


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
