"""paravec.service.state: the served index, the settings, and the dependencies giving them out."""

from __future__ import annotations

import threading
import time
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from paravec.service.state import ServedIndex, ServiceSettings, get_index, get_settings, install_state


def test_settings_defaults_and_writable():
    settings = ServiceSettings()
    assert (settings.token, settings.max_body_bytes, settings.max_url_bytes) == (None, 1_048_576, 8_192)
    assert not settings.writable
    assert ServiceSettings(token="x" * 16).writable


def test_read_and_write_run_on_the_index(lee_index, lee, lee_title):
    served = ServedIndex(lee_index)
    assert served.read(lambda ix: ix.document("lee/001"))["tag"] == "lee/001"
    assert served.write(len) == len(lee_index)
    assert served.title("lee/001") == lee_title(lee[1]["lee/001"])
    assert served.title("no/such/doc") == ""


def test_a_write_keeps_readers_out_until_it_is_done(lee_index):
    served = ServedIndex(lee_index)
    events: list[str] = []
    started = threading.Event()

    def slow_write(ix: object) -> None:
        started.set()
        events.append("write starts")
        time.sleep(0.2)
        events.append("write ends")

    writer = threading.Thread(target=served.write, args=(slow_write,))
    writer.start()
    started.wait()
    served.read(lambda ix: events.append("read"))
    writer.join()
    assert events == ["write starts", "write ends", "read"]


def test_dependencies_give_what_install_state_keeps(lee_index):
    app = FastAPI()
    served, settings = ServedIndex(lee_index), ServiceSettings(max_body_bytes=10)
    install_state(app, served, settings)

    @app.get("/state")
    def state(
        index: Annotated[ServedIndex, Depends(get_index)],
        got: Annotated[ServiceSettings, Depends(get_settings)],
    ) -> list[bool]:
        return [index is served, got is settings]

    assert TestClient(app).get("/state").json() == [True, True]
