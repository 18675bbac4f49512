"""Why a query's demonstrations differ between exemplar and OpenICL (used by check_openicl.py).

Each explain_* function takes one query where the two lists differ and returns (kind, gap,
detail). The kinds:

- "duplicate": the items that swap places have identical vectors (an exact tie; OpenICL's faiss
  heap and exemplar's lower-id rule break it differently).
- "near-tie": the deciding scores are equal within the tolerance (float32 summation order:
  faiss/BLAS vs exemplar's index-order dot; np.linalg.norm vs exemplar's normalisation).
- "differs": a real difference (a failure for the deterministic methods).

Gaps are computed in float64 from the same float32 embeddings both sides read.
"""
import numpy as np

COSINE_TOLERANCE = 1e-6  # |Δ cosine| of a near-tie
GAIN_TOLERANCE = 1e-5    # |Δ greedy gain| / first gain of a near-tie in DPP greedy MAP (float32 kernel)
DRAW_TOLERANCE = 1e-5    # |u − threshold| of a near-tie in a k-DPP draw (float32 kernel, float32 eigh)


class Query:
    """One query's float64 cosines to the pool and its reference candidate list."""

    def __init__(self, train, v, candidates=None):
        self.train = train
        t64 = train.astype(np.float64)
        self.units = t64 / np.linalg.norm(t64, axis=1, keepdims=True)
        q = v.astype(np.float64)
        self.cos = self.units @ (q / np.linalg.norm(q))
        self.candidates = candidates

    def same_vector(self, a, b):
        return np.array_equal(self.train[a], self.train[b])

    def boundary_gap(self, c):
        """|cos of the c-th − the (c+1)-th most similar| (float64): how sure the top-c set is."""
        if c >= len(self.cos):
            return float("inf")
        s = np.sort(self.cos)[::-1]
        return float(s[c - 1] - s[c])


def explain_topk(query, ours, theirs):
    """Ranked lists of ids, most similar first: the widest gap between the items at a rank where they differ."""
    worst, duplicate_only = 0.0, True
    for a, b in zip(ours, theirs):
        if a != b and not query.same_vector(a, b):
            duplicate_only = False
            worst = max(worst, abs(query.cos[a] - query.cos[b]))
    if len(ours) != len(theirs):
        return "differs", float("nan"), "lengths differ"
    kind = "duplicate" if duplicate_only else "near-tie" if worst < COSINE_TOLERANCE else "differs"
    return kind, worst, f"ours {ours} theirs {theirs}"


def greedy_path(kernel, k):
    """CEIL's fast_map_dpp in float64, with every step's gains (the di2s it takes the argmax of)."""
    n = kernel.shape[0]
    cis = np.zeros((k, n))
    di2s = np.copy(np.diag(kernel)).astype(np.float64)
    picks, gains = [], []
    j = int(np.argmax(di2s))
    while True:
        gains.append(di2s.copy())
        picks.append(j)
        if len(picks) == k:
            break
        t = len(picks) - 1
        ci_opt = cis[:t, j]
        di_opt = np.sqrt(di2s[j])
        eis = (kernel[j, :] - ci_opt @ cis[:t, :]) / di_opt
        cis[t, :] = eis
        di2s = di2s - np.square(eis)
        di2s[picks] = -np.inf
        j = int(np.argmax(di2s))
    return picks, gains


def explain_dpp_map(query, ours, theirs, kernel, c):
    """ours/theirs: picks ordered by relevance; kernel: OpenICL's over its candidates `query.candidates`."""
    if query.boundary_gap(c) < COSINE_TOLERANCE:
        return "near-tie", query.boundary_gap(c), f"candidate_num boundary: cosines {c} and {c + 1} {query.boundary_gap(c):.2e} apart"
    if set(ours) == set(theirs):
        rel = [query.cos[i] for i in ours]
        gap = min((abs(x - y) for x, y in zip(rel, rel[1:])), default=0.0)
        dup = any(query.same_vector(a, b) for a, b in zip(ours, theirs) if a != b)
        return ("duplicate" if dup else "near-tie" if gap < COSINE_TOLERANCE else "differs"), gap, "same picks, relevance order"
    position = {int(i): p for p, i in enumerate(query.candidates)}
    if any(i not in position for i in ours):
        return "differs", float("nan"), "a pick outside OpenICL's candidates with a clear boundary"
    picks, gains = greedy_path(kernel.astype(np.float64), len(theirs))
    mine = {position[i] for i in ours}
    scale = float(gains[0][picks[0]])
    for step, j in enumerate(picks):
        if j in mine:
            mine.discard(j)
            continue
        alternative = max(mine, key=lambda x: gains[step][x])
        gap = abs(float(gains[step][j] - gains[step][alternative])) / scale
        dup = query.same_vector(query.candidates[j], query.candidates[alternative])
        kind = "duplicate" if dup else "near-tie" if gap < GAIN_TOLERANCE else "differs"
        return kind, gap, f"step {step + 1}: gain of OpenICL's pick vs ours, relative to the first gain"
    return "differs", float("nan"), "no diverging step found"


def kdpp_replay(kernel, k, seed):
    """dppy's GS k-DPP draw replayed in float64 with the same RandomState: (kernel positions in draw
    order, the closest call: the smallest |uniform − threshold| of any draw)."""
    values, vectors = np.linalg.eigh(kernel.astype(np.float64))
    values = np.maximum(values, 0)
    rng = np.random.RandomState(seed)
    n = len(values)
    e = np.zeros((k + 1, n + 1))
    e[0, :] = 1
    for l in range(1, k + 1):
        for m in range(1, n + 1):
            e[l, m] = e[l, m - 1] + values[m - 1] * e[l - 1, m - 1]
    margin = float("inf")
    left, kept = k, []
    for m in range(n, 0, -1):
        u = rng.rand()
        p = values[m - 1] * e[left - 1, m - 1] / e[left, m]
        margin = min(margin, abs(u - p))
        if u < p:
            left -= 1
            kept.append(m - 1)
            if left == 0:
                break
    v = vectors[:, kept[::-1]]
    avail = np.ones(n, dtype=bool)
    cc = np.zeros((n, k))
    norms = np.sum(v * v, axis=1)
    picks = []
    for it in range(k):
        idx = np.flatnonzero(avail)
        p = np.abs(norms[idx]) / (k - it)
        cdf = np.cumsum(p)
        cdf /= cdf[-1]
        u = rng.random_sample()
        j = int(idx[np.searchsorted(cdf, u, side="right")])
        picks.append(j)
        margin = min(margin, float(np.min(np.abs(cdf - u))))
        if it == k - 1:
            break
        avail[j] = False
        cc[avail, it] = (v[avail, :] @ v[j, :] - cc[avail, :it] @ cc[j, :it]) / np.sqrt(norms[j])
        norms[avail] -= cc[avail, it] ** 2
    return picks, margin


def explain_dpp_sample(query, ours, theirs, kernel, c, k, seed):
    """A k-DPP draw that differs: the same draw on the same kernel, replayed in float64.

    The draw depends on the candidates' order (the kernel's row order: the cumulative sums of
    the projection step run over it), so two candidates whose cosines are equal within float32
    rounding, listed in the other order by faiss's sgemm than by exemplar's index-order dot,
    change the draw. Such a pair is a near-tie when swapping it in the kernel and replaying the
    same draw gives exemplar's picks; otherwise the gap is the closest uniform draw to a threshold."""
    if query.boundary_gap(c) < COSINE_TOLERANCE:
        return "near-tie", query.boundary_gap(c), f"candidate_num boundary: cosines {c} and {c + 1} {query.boundary_gap(c):.2e} apart"
    if set(ours) == set(theirs):
        return "near-tie", 0.0, "same picks, relevance order"
    ids = list(query.candidates)
    for i in range(len(ids) - 1):
        gap = abs(query.cos[ids[i]] - query.cos[ids[i + 1]])
        if gap >= COSINE_TOLERANCE:
            continue
        order = list(range(len(ids)))
        order[i], order[i + 1] = order[i + 1], order[i]
        swapped = kernel[np.ix_(order, order)]
        picks, _ = kdpp_replay(swapped, k, seed)
        if set(ids[order[j]] for j in picks) == set(ours):
            return "near-tie", float(gap), (f"candidates {i} and {i + 1} (ids {ids[i]}, {ids[i + 1]}) are {gap:.1e} apart in cosine; "
                                            "in exemplar's order the same draw gives exemplar's picks")
    _, margin = kdpp_replay(kernel, k, seed)
    return ("near-tie" if margin < DRAW_TOLERANCE else "differs"), margin, "closest uniform draw to a threshold"
