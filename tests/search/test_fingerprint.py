"""The model fingerprint an index records."""

from __future__ import annotations

import copy

from paravec.search.fingerprint import model_fingerprint


def test_fingerprint_sees_a_single_changed_vector(model):
    other = copy.deepcopy(model)
    assert model_fingerprint(other) == model_fingerprint(model)
    other.dv.vectors[123, 7] += 1e-3
    assert model_fingerprint(other) != model_fingerprint(model)


def test_an_index_recorded_with_the_earlier_hash_opens_without_a_sync(built, model, tmp_path):
    """Fingerprints were BLAKE2b before they named their hash: such an index is the same version."""
    import json
    import shutil

    from paravec.search import SearchIndex
    from paravec.search.fingerprint import HASH

    folder = tmp_path / "old"
    shutil.copytree(built.path, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    earlier = model_fingerprint(model, like={})  # no "hash": BLAKE2b, as paravec wrote it before
    assert "hash" not in earlier and manifest["fingerprint"]["hash"] == HASH
    assert earlier["word_vectors"] != manifest["fingerprint"]["word_vectors"]
    manifest["fingerprint"] = earlier
    (folder / "manifest.json").write_text(json.dumps(manifest))
    index = SearchIndex.open(folder, model=model, sync="refuse")  # refused before the hash could be read back
    assert index.backend.fingerprint == earlier and len(index) == len(built)
    changed = copy.deepcopy(model)
    changed.dv.vectors[5, 0] += 1e-3
    assert model_fingerprint(changed, like=earlier) != earlier  # the earlier hash still sees a change
