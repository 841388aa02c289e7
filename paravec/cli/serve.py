"""``paravec serve``: the HTTP API and the search page over an index, on one port.

A thin layer over `paravec.service.create_app`, run with uvicorn. The service is
read-only unless the environment variable named by ``--token-env`` holds a token; then
``POST /api/documents`` accepts new documents with ``Authorization: Bearer <token>``.

Examples
--------
.. code-block:: console

    $ paravec serve lee.index --port 8000
    $ export PARAVEC_TOKEN=$(python -c 'import secrets; print(secrets.token_urlsafe(32))')
    $ paravec serve lee.index --token-env PARAVEC_TOKEN      # writable
"""

from __future__ import annotations

import ipaddress
import os
from typing import Annotated

import typer

from paravec.cli import app
from paravec.errors import ParavecError

_MAX_REQUEST_HEAD_BYTES = 2 * 1_048_576


@app.command()
def serve(
    index: Annotated[
        str,
        typer.Argument(
            help="Index folder (or PostgreSQL URI) written by `paravec index`.", show_default=False
        ),
    ],
    host: Annotated[
        str, typer.Option(help="Address to listen on; 127.0.0.1 keeps it on this machine.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    token_env: Annotated[
        str, typer.Option(help="Environment variable holding the write token; unset = read-only.")
    ] = "PARAVEC_TOKEN",
    # The default is the service's; it is not imported here, since the service (fastapi) is an
    # optional extra that this module must not need to list its options.
    max_body_bytes: Annotated[
        int | None,
        typer.Option(
            min=1, show_default="1 MiB", help="Largest request body accepted (bytes); larger gets 413."
        ),
    ] = None,
) -> None:
    """Serve the search page and the HTTP API (OpenAPI schema at /openapi.json)."""
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

    token = os.environ.get(token_env) or None
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True
    ) as progress:
        progress.add_task(f"opening index {shown_dsn(index) if is_dsn(index) else index}", total=None)
        web_app = create_app(index, token=token, max_body_bytes=max_body_bytes or DEFAULT_MAX_BODY_BYTES)

    if token is None:
        typer.echo(
            f"read-only: adding documents is off (set ${token_env} to a secret token to enable "
            "POST /api/documents)",
            err=True,
        )
    elif not _is_loopback(host):
        typer.secho(
            f"warning: listening on {host} without TLS; the write token travels in clear text. "
            "Put the service behind an HTTPS proxy or use --host 127.0.0.1.",
            fg=typer.colors.YELLOW,
            err=True,
        )
    shown = f"[{host}]" if ":" in host else host
    typer.echo(
        f"serving {web_app.state.served.index.path} at http://{shown}:{port}/  (API schema: /openapi.json)",
        err=True,
    )
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


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
