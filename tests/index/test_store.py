"""ChunkStore.query on a real Chroma (embedded and server): a filtered query gives the nearest accepted
chunks whether the cheap unfiltered queries find enough of them or the `where` query is needed."""
from __future__ import annotations

import numpy as np
import pytest

from index.store import UNFILTERED_OVERFETCH, ChunkStore

DIM = 8


K = 6
FIRST, SECOND = (K * f for f in UNFILTERED_OVERFETCH)  # how many nearest chunks the unfiltered queries look at
TOTAL = SECOND + 40


def _store(settings, public_rank: int, total: int = TOTAL) -> tuple[ChunkStore, np.ndarray]:
    """`total` chunks along one direction, the nearer ones internal; public from the `public_rank`-th on."""
    store = ChunkStore(settings, fingerprint="fake-test:8", dim=DIM)
    query = np.eye(DIM, dtype=np.float32)[0]
    ids, vectors, metas = [], [], []
    for i in range(total):  # the i-th is i × 0.005 rad from the query: strictly farther with i
        v = np.zeros(DIM, dtype=np.float32)
        v[0], v[1] = np.cos(i * 0.005), np.sin(i * 0.005)
        ids.append(f"c{i:03d}")
        vectors.append(v.tolist())
        metas.append({"access": "public" if i >= public_rank else "internal"})
    store.collection.add(ids=ids, embeddings=vectors, metadatas=metas)
    return store, query


# the nearest public chunk within what the first query looks at, the second, or only the `where` query
@pytest.mark.parametrize("public_rank", [0, FIRST + 5, SECOND + 10])
def test_filtered_query_is_the_nearest_accepted(settings, public_rank):
    store, query = _store(settings, public_rank)
    public = {f"c{i:03d}" for i in range(public_rank, TOTAL)}
    k = K
    got = store.query(query, k=k, where={"access": "public"}, accept=public.__contains__)
    where_only = store.collection.query(query_embeddings=[query.tolist()], n_results=k,
                                        where={"access": "public"}, include=[])["ids"][0]
    assert [h.chunk_id for h in got] == where_only
    assert [h.chunk_id for h in got] == [f"c{i:03d}" for i in range(public_rank, public_rank + k)]
    assert all(a.score >= b.score for a, b in zip(got, got[1:]))


def test_accept_drops_what_where_cannot_express(settings):
    """`accept` also drops chunks the `where` clause keeps (vectors of a document the keyword index does not
    list): they are never returned, and the query still fills k from the rest."""
    store, query = _store(settings, 0, total=60)
    orphans = {f"c{i:03d}" for i in range(10)}
    got = store.query(query, k=5, where={"access": "public"}, accept=lambda cid: cid not in orphans)
    assert [h.chunk_id for h in got] == [f"c{i:03d}" for i in range(10, 15)]


def test_where_alone_is_applied_by_chroma(settings):
    """Without `accept` there is nothing to check in Python: the `where` clause itself filters."""
    store, query = _store(settings, FIRST + 5)
    got = store.query(query, k=K, where={"access": "public"})
    assert [h.chunk_id for h in got] == [f"c{i:03d}" for i in range(FIRST + 5, FIRST + 5 + K)]
