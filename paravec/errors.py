"""Errors paravec raises.

Every failure that a user can cause (a bad file, a bad corpus, a bad parameter, a broken model) is
raised as a `ParavecError` subclass whose message is one line that names the problem and what
to do about it. The CLI prints that line on stderr and exits non-zero, without a traceback.

Examples
--------
>>> import paravec
>>> try:
...     paravec.load("/nonexistent/model")
... except paravec.ParavecError as err:
...     print(type(err).__name__)
ModelFileError
"""

from __future__ import annotations

__all__ = [
    "ClusterError",
    "CorpusError",
    "IndexStateError",
    "ModelBrokenError",
    "ModelFileError",
    "NotFoundError",
    "ParameterError",
    "ParavecError",
    "StoreError",
]


class ParavecError(Exception):
    """Base class of every error paravec raises on purpose."""


class ModelFileError(ParavecError):
    """A model file is missing, truncated, corrupt, or not a gensim ``Doc2Vec``."""


class ModelBrokenError(ParavecError):
    """A model's internal state is inconsistent; see `paravec.check`."""


class CorpusError(ParavecError):
    """A corpus is empty, unreadable, or has documents paravec cannot train on."""


class ParameterError(ParavecError, ValueError):
    """A parameter has a value outside what is allowed."""


class IndexStateError(ParavecError):
    """A search index is missing, corrupt, unreachable (its database), or of another model version."""


class ClusterError(ParavecError):
    """A Dask cluster is not there (no scheduler at the address) or one of its workers failed."""


class StoreError(ParavecError):
    """A model store is missing, corrupt, busy (another process is changing it), or asked for a
    version it does not have."""


class NotFoundError(ParavecError, LookupError):
    """A document tag or word the model or index does not have."""
