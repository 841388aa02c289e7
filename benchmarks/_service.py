"""What the service benchmarks share: a Lee store, a `paravec serve STORE` process, HTTP calls.

The store's base is a small PV-DBOW model of the 300 Lee background articles (50 dimensions, so a
write through the service takes seconds, not minutes, on 2 cores); batches come from the 50 Lee
test articles (``lee.cor``), tagged ``batch/N``. The server is the real command line in a child
process, so a benchmark measures what a user runs, kill -9 included.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec.datasets import data_path
from paravec.tokenizer import tokenize

TOKEN_ENV = "PARAVEC_BENCH_TOKEN"
TOKEN = "bench-token-0123456789abcdef"
BASE_OPTIONS: dict[str, Any] = dict(
    vector_size=50, epochs=20, min_count=2, dm=0, dbow_words=1, seed=7, workers=2
)


def lee_texts(name: str, prefix: str) -> list[tuple[str, str]]:
    """``(tag, text)`` of each article of gensim's ``name`` (one article a line)."""
    with open(data_path(name), encoding="latin-1") as fh:
        lines = [line.strip() for line in fh if line.strip()]
    return [(f"{prefix}/{i:03d}", line) for i, line in enumerate(lines)]


def make_store(path: Path) -> Any:
    """A store whose version 1 is the Lee base model with its texts indexed."""
    texts = lee_texts("lee_background.cor", "lee")
    model = paravec.train([TaggedDocument(tokenize(t), [tag]) for tag, t in texts], **BASE_OPTIONS)
    return paravec.Store.create(path, model, texts)


def batches() -> list[tuple[str, str]]:
    """The 50 Lee test articles as ``(tag, text)``, for the batches added."""
    return lee_texts("lee.cor", "batch")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(store: Path, port: int, log: Path, *, writes: bool = True) -> subprocess.Popen[bytes]:
    """``paravec serve STORE`` in a child process (writes on with the bench token, published
    whatever their verification verdict)."""
    env = {**os.environ, TOKEN_ENV: TOKEN}
    cmd = [
        sys.executable,
        "-c",
        "from paravec.cli import main; main()",
        "serve",
        str(store),
        "--port",
        str(port),
    ]
    if writes:  # --force: publish every write; the gate is not what these benchmarks measure
        cmd += ["--token-env", TOKEN_ENV, "--force"]
    with open(log, "ab") as out:
        return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)


def wait_ready(proc: subprocess.Popen[bytes], port: int, timeout: float = 120.0) -> None:
    """Wait until the server answers ``GET /api/info``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"paravec serve exited with {proc.returncode}")
        try:
            status, _, _ = request(port, "GET", "/api/info", timeout=2.0)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"paravec serve did not answer within {timeout:.0f} s")


def request(
    port: int,
    method: str,
    path: str,
    body: Any = None,
    *,
    timeout: float = 300.0,
    connection: http.client.HTTPConnection | None = None,
) -> tuple[int, str | None, Any]:
    """One HTTP call; returns (status, Paravec-Version header, JSON body)."""
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Accept": "application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers.update({"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, response.getheader("paravec-version"), json.loads(data) if data else None
    finally:
        if connection is None:
            conn.close()


def post_documents(
    port: int, pairs: list[tuple[str, str]], timeout: float = 600.0
) -> tuple[int, str | None, Any]:
    """``POST /api/documents`` with ``pairs``."""
    body = {"documents": [{"tag": tag, "text": text} for tag, text in pairs]}
    return request(port, "POST", "/api/documents", body, timeout=timeout)
