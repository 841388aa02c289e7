"""Real text shared by the tests of paravec.corpus: Lee news lines and Norwegian sentences."""

from __future__ import annotations

from pathlib import Path

import pytest
from gensim.test.utils import datapath

LEE_BG = Path(datapath("lee_background.cor"))


@pytest.fixture(scope="session")
def lee_lines() -> list[str]:
    """The first 20 articles of lee_background.cor, one line each."""
    return LEE_BG.read_text(encoding="utf-8").splitlines()[:20]


@pytest.fixture(scope="session")
def norwegian() -> list[str]:
    """Three Norwegian sentences with long compounds and æøå."""
    return [
        "Sykehusinnkjøpsavdelingen har bestilt nye senger til Universitetssykehuset i Nord-Norge.",
        "Fotballkeeperen på Ålesund reddet straffesparket i det 89. minutt.",
        "Blåbærsyltetøy og brunost er godt på vafler, sa Øystein Ærø.",
    ]
