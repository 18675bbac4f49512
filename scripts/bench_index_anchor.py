"""The anchor for scripts/bench-index-search: faiss IndexFlatIP (exact inner product) over the
same vectors, one index per label, timed in process on the same query vectors. Prints one JSON
object: p50/p90 ms of a top-k search (both labels' indexes, merged) and of a per-class one.
Usage: bench_index_anchor.py VECTORS.npy LABELS.txt QUERIES.json K
(LABELS.txt: one label per row of VECTORS.npy; QUERIES.json: a list of query vectors)."""
import json
import sys
import time

import faiss
import numpy as np

vectors = np.load(sys.argv[1], mmap_mode="r")
labels = np.array(open(sys.argv[2]).read().split("\n")[: vectors.shape[0]])
queries = np.array(json.load(open(sys.argv[3])), dtype=np.float32)
k = int(sys.argv[4])
faiss.omp_set_num_threads(2)
indexes = []
for label in sorted(set(labels)):
    rows = np.flatnonzero(labels == label)
    part = np.ascontiguousarray(vectors[rows], dtype=np.float32)
    part /= np.linalg.norm(part, axis=1, keepdims=True)
    index = faiss.IndexFlatIP(part.shape[1])
    index.add(part)
    indexes.append(index)
queries /= np.linalg.norm(queries, axis=1, keepdims=True)
times = []
for q in queries:
    t0 = time.perf_counter()
    for index in indexes:
        index.search(q[None, :], k)
    times.append((time.perf_counter() - t0) * 1e3)
times.sort()
print(json.dumps({"p50": times[len(times) // 2], "p90": times[int(len(times) * 0.9)], "queries": len(times),
                  "faiss": faiss.__version__}))
