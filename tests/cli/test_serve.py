"""``paravec serve`` (paravec/cli/serve.py): options, the write token from the environment, errors.

uvicorn.run is replaced by a recorder, so the test checks the application the command would
serve (through a TestClient) without opening a port; tests/service/test_browser.py runs the real
server.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paravec.cli import app, main

pytest.importorskip("fastapi")
with warnings.catch_warnings():  # starlette >= 1.x asks for httpx2; httpx is what we declare
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

TOKEN = "test-token-0123456789abcdef"
NEW_DOC = {"tag": "new/1", "text": "Wombats dig burrows with their strong claws."}


@pytest.fixture(scope="module")
def served_index(cli_files: dict[str, Path], cli_invoke) -> Path:
    """An index over the CLI tests' base model and its corpus, built with ``paravec index``."""
    out = cli_files["folder"] / "serve.index"
    if not out.exists():
        result = cli_invoke("index", cli_files["model"], cli_files["base_txt"], "--out", out)
        assert result.exit_code == 0, result.output
    return out


def test_serve_command_reads_the_token_from_the_environment(served_index, monkeypatch):
    import uvicorn

    runs: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda web_app, **kw: runs.append({"app": web_app, **kw}))
    runner = CliRunner()
    monkeypatch.delenv("PARAVEC_TOKEN", raising=False)
    result = runner.invoke(app, ["serve", str(served_index), "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "read-only" in result.output
    assert (runs[-1]["host"], runs[-1]["port"]) == ("127.0.0.1", 8123)
    with TestClient(runs[-1]["app"]) as c:
        assert c.post("/api/documents", json={"documents": [NEW_DOC]}).status_code == 403

    monkeypatch.setenv("MY_SECRET", TOKEN)
    result = runner.invoke(app, ["serve", str(served_index), "--token-env", "MY_SECRET", "--host", "0.0.0.0"])
    assert result.exit_code == 0, result.output
    assert "clear text" in result.output  # a token on a non-loopback address without TLS
    with TestClient(runs[-1]["app"]) as c:
        # the token is configured: a wrong one is 401, not the read-only 403
        r = c.post("/api/documents", json={"documents": [NEW_DOC]}, headers={"Authorization": "Bearer nope"})
        assert r.status_code == 401


def test_serve_command_body_limit(served_index, monkeypatch):
    import uvicorn

    runs: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda web_app, **kw: runs.append({"app": web_app, **kw}))
    for args, limit in (([], 1_048_576), (["--max-body-bytes", "5000"], 5000)):
        result = CliRunner().invoke(app, ["serve", str(served_index), *args])
        assert result.exit_code == 0, result.output
        assert runs[-1]["app"].state.settings.max_body_bytes == limit
    with TestClient(runs[-1]["app"]) as c:
        assert c.post("/api/explore", json={"text": "x" * 6000}).status_code == 413


def test_serve_command_help_and_missing_index(tmp_path, capsys, monkeypatch):
    help_text = CliRunner().invoke(app, ["serve", "--help"]).output
    for option in ("--host", "--port", "--token-env", "--max-body-bytes"):
        assert option in help_text
    monkeypatch.setattr("sys.argv", ["paravec", "serve", str(tmp_path / "missing.index")])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "missing.index" in err and "Traceback" not in err


def test_a_token_in_the_environment_alone_does_not_turn_writes_on(served_index, monkeypatch, capsys):
    """Before, PARAVEC_TOKEN in the environment made the service writable without a word."""
    import uvicorn

    runs: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda web_app, **kw: runs.append({"app": web_app, **kw}))
    monkeypatch.setenv("PARAVEC_TOKEN", TOKEN)
    result = CliRunner().invoke(app, ["serve", str(served_index)])
    assert result.exit_code == 0, result.output
    assert "writes: off" in result.output and "PARAVEC_TOKEN is set but ignored" in result.output
    assert "version 1" in result.output
    with TestClient(runs[-1]["app"]) as c:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        assert c.post("/api/documents", json={"documents": [NEW_DOC]}, headers=auth).status_code == 403

    result = CliRunner().invoke(app, ["serve", str(served_index), "--token-env", "PARAVEC_TOKEN"])
    assert result.exit_code == 0, result.output
    assert "writes: ON" in result.output
    assert runs[-1]["app"].state.settings.writable

    # asking for writes with an unset variable is an error, not a silently read-only service
    monkeypatch.delenv("PARAVEC_TOKEN")
    monkeypatch.setattr("sys.argv", ["paravec", "serve", str(served_index), "--token-env", "PARAVEC_TOKEN"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --token-env PARAVEC_TOKEN") and "not set" in err
