"""A model store: the versions of one Doc2Vec model and its search index, verified and crash-proof.

`Store` (in `paravec.store.store`, reading in `paravec.store.reading`, changing in
`paravec.store.changing`) is the public face: create a store from a base model,
add batches as versions (each checked, verified, indexed, then published atomically), list and
compare versions, roll back, delete documents, collect old versions. The package's modules:
`paravec.store.layout` (the folder and the current-version pointer), `paravec.store.format`
(the pickle-free model format), `paravec.store.objects` (content-addressed chunks shared by
versions), `paravec.store.texts`, `paravec.store.versions` (writing one version),
`paravec.store.lock` (one writer at a time, cleanup after a killed step),
`paravec.store.verify` (the gate, run beside the write), `paravec.store.priority` (a step at a
lower CPU priority), `paravec.store.diff`, `paravec.store.publishing` (mirroring the current
version into a PostgreSQL index).

Examples
--------
>>> from paravec.store import Store, VersionInfo
>>> Store.open("/nonexistent/store")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
paravec.errors.StoreError: /nonexistent/store is not a paravec store; ...
"""

from paravec.store.layout import VersionInfo
from paravec.store.publishing import Publication, PublishWarning
from paravec.store.store import Store

__all__ = ["Publication", "PublishWarning", "Store", "VersionInfo"]
