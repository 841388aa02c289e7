"""SearchIndex on real text: lee_background.cor (300 news articles) and lee.cor as new documents."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tantivy")
pytest.importorskip("usearch")

from gensim.models.doc2vec import TaggedDocument  # noqa: E402
from gensim.test.utils import datapath  # noqa: E402

import paravec  # noqa: E402
from paravec.errors import CorpusError, IndexStateError, ParameterError, ParavecError  # noqa: E402
from paravec.search import NotFoundError, SearchIndex  # noqa: E402
from paravec.search.fingerprint import model_fingerprint  # noqa: E402
from paravec.tokenize import tokenize  # noqa: E402


def _lines(name: str, encoding: str = "utf-8") -> list[str]:
    with open(datapath(name), encoding=encoding) as fh:
        return [line for line in fh.read().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def texts() -> list[tuple[str, str]]:
    return [(f"bg{i}", t) for i, t in enumerate(_lines("lee_background.cor"))]


@pytest.fixture(scope="module")
def new_texts() -> list[tuple[str, str]]:
    return [(f"lee{i}", t) for i, t in enumerate(_lines("lee.cor", "latin-1"))]


@pytest.fixture(scope="module")
def model(texts):
    docs = [TaggedDocument(tokenize(t), [tag]) for tag, t in texts]
    return paravec.train(docs, vector_size=50, epochs=20, min_count=2, dm=0, dbow_words=1, seed=3, workers=2)


@pytest.fixture(scope="module")
def built(tmp_path_factory, model, texts) -> SearchIndex:
    folder = tmp_path_factory.mktemp("built")
    paravec.save(model, folder / "lee.model")
    return SearchIndex.build(folder / "lee.model", texts, folder / "lee.index")


@pytest.fixture(scope="module")
def idx(built) -> SearchIndex:
    return SearchIndex.open(built.path)


def _text(texts, tag):
    return dict(texts)[tag]


# -- building and opening ---------------------------------------------------------------------


def test_build_writes_a_folder_that_reopens_with_the_recorded_model(built, idx, texts):
    assert len(built) == len(idx) == len(texts)
    manifest = json.loads((built.path / "manifest.json").read_text())
    assert manifest["documents"] == len(texts)
    assert Path(manifest["model"]["path"]).name == "lee.model"
    assert manifest["fingerprint"] == model_fingerprint(idx.model)
    assert idx.document("bg7") == {"tag": "bg7", "title": "bg7", "text": _text(texts, "bg7")}
    assert not idx.uses_ann


def test_build_refuses_an_existing_index_and_foreign_folders(built, model, texts, tmp_path):
    with pytest.raises(IndexStateError, match="--sync"):
        SearchIndex.build(built.model_path, texts, built.path, model=model)
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "cat.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(IndexStateError, match="other files"):
        SearchIndex.build(built.model_path, texts, foreign, model=model, overwrite=True)
    assert (foreign / "cat.jpg").read_bytes() == b"\xff\xd8"


def test_build_rejects_texts_the_model_does_not_have(built, model, texts, tmp_path):
    extra = texts[:5] + [("not-in-model", "Some text about bushfires.")]
    with pytest.raises(CorpusError, match="not-in-model"):
        SearchIndex.build(built.model_path, extra, tmp_path / "x", model=model)
    assert not (tmp_path / "x").exists()
    skipping = SearchIndex.build(built.model_path, extra, tmp_path / "y", model=model, missing="skip")
    assert len(skipping) == 5
    with pytest.raises(CorpusError, match="twice"):
        SearchIndex.build(built.model_path, texts[:3] + texts[:1], tmp_path / "z", model=model)


def test_open_refuses_what_is_not_an_index(tmp_path):
    with pytest.raises(IndexStateError):
        SearchIndex.open(tmp_path / "missing")
    with pytest.raises(IndexStateError, match="manifest"):
        SearchIndex.open(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(IndexStateError, match="corrupt"):
        SearchIndex.open(tmp_path)


def test_a_tampered_or_orphaned_index_is_refused(built, tmp_path):
    import shutil

    copy_dir = tmp_path / "copy.index"
    shutil.copytree(built.path, copy_dir)
    manifest = json.loads((copy_dir / "manifest.json").read_text())
    manifest["model"] = {"path": str(tmp_path / "gone.model"), "relative": "../gone.model"}
    (copy_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexStateError, match="model file"):
        SearchIndex.open(copy_dir)
    assert len(SearchIndex.open(copy_dir, model=built.model_path)) == len(built)
    manifest["files"]["vectors"] = "../../../etc/passwd"
    (copy_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexStateError, match="unexpected file"):
        SearchIndex.open(copy_dir, model=built.model_path)


# -- ranking ------------------------------------------------------------------------------------


def test_keyword_search_finds_documents_with_the_word_and_highlights_it(idx, texts):
    hits = idx.search("bushfires", mode="keyword", k=10)
    assert hits, "lee_background has several bushfire articles"
    having = {tag for tag, t in texts if "bushfires" in tokenize(t)}
    assert {h.tag for h in hits} <= having
    assert len(hits) == min(10, len(having))
    assert [h.keyword_rank for h in hits] == list(range(1, len(hits) + 1))
    assert all(h.why == "keyword" and h.vector_rank is None for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for hit in hits:
        assert hit.highlights
        assert all(hit.snippet[a:b].lower() == "bushfires" for a, b in hit.highlights)
        assert hit.snippet in " ".join(_text(texts, hit.tag).split()) or hit.snippet in _text(texts, hit.tag)


def test_keyword_search_treats_query_syntax_as_plain_words(idx):
    hits = idx.search('text:"bushfires" AND (sydney OR [', mode="keyword", k=5)
    assert hits and all(h.highlights for h in hits)


def test_long_queries_keep_their_most_telling_words(idx, texts):
    text = " ".join(t for _tag, t in texts[40:43])
    words = tokenize(text)
    terms = idx._text.key_terms(words, 64)
    assert len(terms) == 64 < len(set(words))
    assert "the" not in terms and "of" not in terms
    rare = [w for w in set(words) if sum(w in tokenize(t) for _tag, t in texts) == 1]
    assert rare and len(set(rare) & set(terms)) >= min(len(rare), 64) // 2
    assert {h.tag for h in idx.search(text, mode="keyword", k=3)} == {"bg40", "bg41", "bg42"}


def test_vector_search_finds_a_document_from_its_own_text(idx, texts):
    found = 0
    for tag in ("bg3", "bg50", "bg120", "bg200", "bg280"):
        hits = idx.search(_text(texts, tag), mode="vector", k=3)
        assert all(h.why == "vector" and h.keyword_rank is None for h in hits)
        assert [h.vector_rank for h in hits] == [1, 2, 3]
        found += tag in [h.tag for h in hits]
    assert found >= 4


def test_the_same_query_gets_the_same_scores(idx):
    """Query inference is seeded from the query: repeated searches agree, model.random is left alone."""
    query = "firefighters battle bushfires near Sydney"
    state = idx.model.random.get_state()[1].copy()
    first = [(h.tag, h.score) for h in idx.search(query, mode="vector", k=10)]
    idx.search("an unrelated query about cricket", mode="vector")
    assert [(h.tag, h.score) for h in idx.search(query, mode="vector", k=10)] == first
    assert np.array_equal(idx.model.random.get_state()[1], state)


def test_hybrid_is_a_convex_combination_of_bm25_and_cosine(idx):
    query = "firefighters battle bushfires near Sydney"
    bm25 = {h.tag: h.score for h in idx.search(query, mode="keyword", k=idx.candidates)}
    best = max(bm25.values())
    cosine = {h.tag: h.score for h in idx.search(query, mode="vector", k=len(idx))}
    assert len(cosine) == len(idx)
    hits = idx.search(query, k=2 * idx.candidates)
    # Documents only the keyword ranking found still get their exact cosine, not a guess.
    assert any(h.why == "keyword" for h in hits) and any(h.why == "vector" for h in hits)
    for h in hits:
        expected = 0.7 * bm25.get(h.tag, 0.0) / best + 0.3 * cosine[h.tag]
        assert h.score == pytest.approx(expected, abs=1e-5), h
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].why == "both"
    # Only the ratio of the weights matters; a zero weight leaves the other ranking's order.
    doubled = idx.search(query, k=10, keyword_weight=1.4, vector_weight=0.6)
    assert [(h.tag, round(h.score, 6)) for h in doubled] == [(h.tag, round(h.score, 6)) for h in hits[:10]]
    only_keyword = idx.search(query, k=10, vector_weight=0.0)
    assert [h.tag for h in only_keyword] == list(bm25)[:10]
    assert [h.score for h in only_keyword] == pytest.approx([s / best for s in list(bm25.values())[:10]])
    only_vector = idx.search(query, k=10, keyword_weight=0.0)
    assert [h.tag for h in only_vector] == list(cosine)[:10]


def test_rrf_fusion_adds_reciprocal_ranks(idx):
    query = "firefighters battle bushfires near Sydney"
    hits = idx.search(query, k=10, fusion="rrf", keyword_weight=1.0, vector_weight=1.0)
    assert {h.why for h in hits} & {"both"}
    for h in hits:
        expected = sum(1.0 / (idx.rrf_k + r) for r in (h.keyword_rank, h.vector_rank) if r is not None)
        assert h.score == pytest.approx(expected)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    only_vector = idx.search(query, k=10, fusion="rrf", keyword_weight=0.0)
    assert all(h.why == "vector" for h in only_vector)
    heavy_keyword = idx.search(query, k=5, fusion="rrf", keyword_weight=1000.0)
    keyword = idx.search(query, k=5, mode="keyword")
    assert [h.tag for h in heavy_keyword][:3] == [h.tag for h in keyword][:3]
    with pytest.raises(ParameterError, match="fusion"):
        idx.search(query, fusion="score")


def test_hybrid_falls_back_to_keywords_when_no_word_is_known(idx, model):
    word = "zzqx"
    assert word not in model.wv
    assert idx.search(word) == []
    with pytest.raises(ParameterError, match="vocabulary"):
        idx.search(word, mode="vector")


def test_expansion_adds_the_nearest_words_of_the_query(idx, model, texts):
    word = "fires"
    plain = idx.search(word, mode="keyword", k=100)
    expanded = idx.search(word, mode="keyword", k=100, expand=True)
    near = {w for w, _ in model.wv.most_similar(word, topn=idx.expand_topn)}
    assert len(plain) < 100 and len(expanded) > len(plain)
    extra = [h for h in expanded if word not in tokenize(_text(texts, h.tag))]
    assert extra, "expansion should reach documents without the query word"
    for hit in extra:
        assert near & set(tokenize(_text(texts, hit.tag)))
        assert all(hit.snippet[a:b].lower() in near for a, b in hit.highlights)


# -- exploration --------------------------------------------------------------------------------


def test_exploration_matches_gensim(idx, model):
    assert [(n.key, pytest.approx(n.score, abs=1e-5)) for n in idx.words_near_word("fire", k=5)] == \
        [(w, pytest.approx(s, abs=1e-5)) for w, s in model.wv.most_similar("fire", topn=5)]
    near_doc = idx.words_near_document("bg0", k=5)
    assert [n.key for n in near_doc] == [w for w, _ in model.wv.similar_by_vector(model.dv["bg0"], topn=5)]
    like = idx.documents_like("bg0", k=5)
    assert "bg0" not in [n.key for n in like]
    assert [n.key for n in like] == [t for t, _ in model.dv.most_similar("bg0", topn=5)]
    by_word = idx.documents_near_word("fire", k=5)
    expected = model.dv.similar_by_vector(model.wv["fire"], topn=5)
    assert [n.key for n in by_word] == [t for t, _ in expected]
    assert by_word[0].score == pytest.approx(expected[0][1], abs=1e-5)


def test_free_text_lands_near_its_document_and_words(idx, texts):
    text = _text(texts, "bg10")
    assert "bg10" in [n.key for n in idx.text_to_documents(text, k=3)]
    words = [n.key for n in idx.text_to_words(text, k=30)]
    assert set(words) & set(tokenize(text))


def test_word_lookup_normalises_case(idx):
    assert idx.words_near_word("Fire", k=3) == idx.words_near_word("fire", k=3)


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "   \t\n", "!!! --- ???", "\x00\x01\x02"])
def test_empty_queries_are_parameter_errors(idx, query):
    with pytest.raises(ParameterError):
        idx.search(query)


def test_oversized_and_odd_queries(idx):
    with pytest.raises(ParameterError, match="characters long"):
        idx.search("fire " * 210_000)
    with pytest.raises(ParameterError, match="must be a str"):
        idx.search(b"fire")
    control = idx.search("\x00fire\x07\x1b[31m", mode="keyword", k=3)
    assert control == idx.search("fire 31m", mode="keyword", k=3)
    assert isinstance(idx.search("\ud800 fire 🔥 ﷽ ẞ", k=3), list)
    with pytest.raises(ParameterError):
        idx.text_to_words("x" * 200_000)


@pytest.mark.parametrize("kwargs", [
    {"mode": "bm25"}, {"k": 0}, {"k": 10**6}, {"k": 2.5}, {"keyword_weight": -1},
    {"vector_weight": float("nan")}, {"keyword_weight": 0, "vector_weight": 0},
])
def test_bad_search_parameters(idx, kwargs):
    with pytest.raises(ParameterError):
        idx.search("fire", **kwargs)


def test_unknown_tags_and_words_are_not_found(idx):
    for call in (lambda: idx.document("nope"), lambda: idx.documents_like("../../etc/passwd"),
                 lambda: idx.words_near_document("nope"), lambda: idx.words_near_word("zzqx"),
                 lambda: idx.documents_near_word("zzqx")):
        with pytest.raises(NotFoundError) as info:
            call()
        assert isinstance(info.value, ParavecError)
    with pytest.raises(ParameterError, match="one word"):
        idx.words_near_word("fire brigade")


def test_tags_that_look_like_paths_never_touch_files(tmp_path, model, texts):
    evil = ["../../evil", "/etc/passwd", "a/../../b", "..", "con:\x00"]
    renamed = [(evil[i] if i < len(evil) else tag, t) for i, (tag, t) in enumerate(texts)]
    doctags = [TaggedDocument(tokenize(t), [tag]) for tag, t in renamed]
    m = paravec.train(doctags, vector_size=16, epochs=2, min_count=2, seed=1, workers=1)
    folder = tmp_path / "deep" / "er"
    folder.mkdir(parents=True)
    paravec.save(m, folder / "m.model")
    before = sorted(p for p in tmp_path.rglob("*"))
    index = SearchIndex.build(folder / "m.model", renamed, folder / "m.index")
    created = sorted(p for p in tmp_path.rglob("*") if p not in before)
    assert all(p == folder / "m.index" or (folder / "m.index") in p.parents for p in created)
    assert index.document("../../evil")["text"] == texts[0][1]
    assert "/etc/passwd" not in [n.key for n in index.documents_like("/etc/passwd", k=5)]


# -- following the model -------------------------------------------------------------------------


def _update(model, docs, **kwargs):
    updated = copy.deepcopy(model)
    paravec.update(updated, [TaggedDocument(tokenize(t), [tag]) for tag, t in docs], seed=2, **kwargs)
    return updated


def test_sync_indexes_new_and_replaced_documents_only(tmp_path, model, texts, new_texts):
    paravec.save(model, tmp_path / "v1.model")
    index = SearchIndex.build(tmp_path / "v1.model", texts, tmp_path / "idx")
    old_vectors = np.array(index._state.vectors.matrix)

    replacement = ("bg0", "Astronauts repaired the zorbly telescope during a long spacewalk.")
    batch = new_texts[:3] + [replacement]
    v2 = _update(model, batch)
    paravec.save(v2, tmp_path / "v2.model")
    with pytest.raises(IndexStateError, match="--sync"):
        SearchIndex.open(tmp_path / "idx", model=tmp_path / "v2.model")

    report = index.sync(v2, batch, model_path=tmp_path / "v2.model")
    assert report.added == ["lee0", "lee1", "lee2"]
    assert report.replaced == ["bg0"]
    assert report.removed == [] and report.skipped == []
    assert report.unchanged == len(texts) - 1
    assert len(index) == len(texts) + 3
    # unchanged documents keep their vectors bit for bit (tantivy may merge their segments in the
    # background, so its files are not compared)
    unchanged = [s for s in range(len(texts)) if s != 0]
    assert np.array_equal(np.asarray(index._state.vectors.matrix)[unchanged], old_vectors[unchanged])
    # the replaced document answers with its new text only
    assert index.document("bg0")["text"] == replacement[1]
    assert [h.tag for h in index.search("zorbly", mode="keyword")] == ["bg0"]
    old_word = next(w for w in tokenize(texts[0][1]) if sum(w in tokenize(t) for _, t in texts) == 1)
    assert "bg0" not in [h.tag for h in index.search(old_word, mode="keyword")]
    unique = next(w for w in tokenize(new_texts[1][1]) if not any(w in tokenize(t) for _, t in texts + new_texts[:1]))
    assert "lee1" in [h.tag for h in index.search(unique, mode="keyword")]
    assert "lee2" in [n.key for n in index.text_to_documents(new_texts[2][1], k=5)]
    # the folder holds one generation of files, and reopens with the new model without complaint
    names = sorted(p.name for p in (tmp_path / "idx").iterdir())
    assert names == ["docs-1.json", "live-1.npy", "manifest.json", "text", "vectors-1.npy"]
    reopened = SearchIndex.open(tmp_path / "idx")
    assert reopened.model_path == (tmp_path / "v2.model").resolve()
    assert len(reopened) == len(texts) + 3
    again = reopened.sync(v2, batch)
    assert not again.changed and again.unchanged == len(texts) + 3


def test_sync_removes_documents_the_model_dropped(tmp_path, model, texts, new_texts):
    paravec.save(model, tmp_path / "v1.model")
    SearchIndex.build(tmp_path / "v1.model", texts, tmp_path / "idx")
    v2 = _update(model, new_texts[:5], keep_old_docs=False)
    paravec.save(v2, tmp_path / "v2.model")
    index = SearchIndex.open(tmp_path / "idx", model=tmp_path / "v2.model", sync="rebuild")
    assert index.last_sync is not None and len(index.last_sync.removed) == len(texts)
    assert len(index) == 0
    report = index.sync(v2, new_texts[:5] + [("bg1", texts[1][1])])
    assert report.added == [f"lee{i}" for i in range(5)] and report.skipped == ["bg1"]
    assert {h.tag for h in index.search(new_texts[0][1], k=10)} <= {f"lee{i}" for i in range(5)}
    with pytest.raises(NotFoundError):
        index.document("bg1")


def test_ann_index_agrees_with_exact_search_and_follows_syncs(tmp_path, model, texts, new_texts):
    paravec.save(model, tmp_path / "v1.model")
    index = SearchIndex.build(tmp_path / "v1.model", texts, tmp_path / "idx", ann_threshold=100)
    assert index.uses_ann and any(p.suffix == ".usearch" for p in (tmp_path / "idx").iterdir())
    store = index._state.vectors
    recall = []
    for tag, text in texts[::15]:
        query = index.model.infer_vector(tokenize(text))
        approx = {s for s, _ in store.search(query, 10)}
        exact = {s for s, _ in store.search(query, 10, exact=True)}
        recall.append(len(approx & exact) / 10)
    assert np.mean(recall) >= 0.9
    v2 = _update(model, new_texts[:2] + [("bg5", new_texts[10][1])])
    paravec.save(v2, tmp_path / "v2.model")
    index.sync(v2, new_texts[:2] + [("bg5", new_texts[10][1])], model_path=tmp_path / "v2.model")
    reopened = SearchIndex.open(tmp_path / "idx")
    assert reopened.uses_ann
    assert "lee1" in [n.key for n in reopened.text_to_documents(new_texts[1][1], k=3)]
    assert "bg5" in [n.key for n in reopened.text_to_documents(new_texts[10][1], k=3)]


def test_fingerprint_sees_a_single_changed_vector(model):
    other = copy.deepcopy(model)
    assert model_fingerprint(other) == model_fingerprint(model)
    other.dv.vectors[123, 7] += 1e-3
    assert model_fingerprint(other) != model_fingerprint(model)


def test_add_documents_updates_model_file_and_index(tmp_path, model, texts, new_texts):
    paravec.save(model, tmp_path / "m.model")
    index = SearchIndex.build(tmp_path / "m.model", texts, tmp_path / "idx")
    report = index.add_documents(new_texts[3:5], titles={"lee3": "An article"}, epochs=10)
    assert report.added == ["lee3", "lee4"]
    on_disk = paravec.load(tmp_path / "m.model")
    assert "lee3" in on_disk.dv and len(on_disk.dv) == len(texts) + 2
    reopened = SearchIndex.open(tmp_path / "idx")
    assert reopened.document("lee3")["title"] == "An article"
    assert "lee4" in [h.tag for h in reopened.search(new_texts[4][1], k=5)]
    with pytest.raises(CorpusError):
        index.add_documents([("empty", "!!!")])
    assert len(paravec.load(tmp_path / "m.model").dv) == len(texts) + 2


def test_int_tags_of_plain_gensim_models(tmp_path, texts):
    docs = [TaggedDocument(tokenize(t), [i]) for i, (_tag, t) in enumerate(texts[:60])]
    m = paravec.train(docs, vector_size=16, epochs=5, min_count=1, seed=1, workers=1)
    paravec.save(m, tmp_path / "int.model")
    index = SearchIndex.build(tmp_path / "int.model", [(i, t) for i, (_tag, t) in enumerate(texts[:60])],
                              tmp_path / "int.index")
    assert index.document("7")["text"] == texts[7][1]
    assert index.documents_like(7, k=3)[0].key in {str(i) for i in range(60)}


def test_a_copied_index_and_model_write_to_the_copy_never_the_original(built, new_texts, tmp_path):
    # Regression: model_path used to return the manifest's absolute path, so adding documents to a
    # copied index saved the updated model over the original file.
    import hashlib
    import shutil

    original = built.path.parent
    copy_dir = tmp_path / "copy"
    shutil.copytree(original, copy_dir)
    digest = hashlib.sha256((original / "lee.model").read_bytes()).hexdigest()

    copied = SearchIndex.open(copy_dir / "lee.index")
    assert copied.model_path == (copy_dir / "lee.model").resolve()
    report = copied.add_documents(new_texts[:3], epochs=5)
    assert report.added == [tag for tag, _ in new_texts[:3]]
    assert hashlib.sha256((original / "lee.model").read_bytes()).hexdigest() == digest
    assert len(SearchIndex.open(built.path)) == len(built)
    assert len(paravec.load(copy_dir / "lee.model").dv) == len(built) + 3
