// The faiss shim: the C surface of include/exemplar_faiss.h over faiss 1.7.3's C++ API.
#include "exemplar_faiss.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/IndexScalarQuantizer.h>
#include <faiss/index_io.h>
#include <faiss/invlists/OnDiskInvertedLists.h>
#include <omp.h>

#include "list_scan.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>

struct exf_index {
    std::unique_ptr<faiss::Index> index;
    int kind;
};

namespace {

int fail(char *error, size_t length, const char *message) {
    if (error != nullptr && length > 0) {
        std::snprintf(error, length, "%s", message);
    }
    return -1;
}

template <typename Body> int guarded(char *error, size_t length, Body body) {
    try {
        body();
        return 0;
    } catch (const std::exception &e) {
        return fail(error, length, e.what());
    } catch (...) {
        return fail(error, length, "faiss failed with an unknown exception");
    }
}

int kindOf(const faiss::Index *index) {
    if (dynamic_cast<const faiss::IndexHNSWFlat *>(index) != nullptr) return EXF_HNSW;
    if (dynamic_cast<const faiss::IndexIVFFlat *>(index) != nullptr) return EXF_IVF_FLAT;
    if (auto sq = dynamic_cast<const faiss::IndexIVFScalarQuantizer *>(index)) {
        return sq->sq.qtype == faiss::ScalarQuantizer::QT_8bit ? EXF_IVF_SQ8 : -1;
    }
    if (dynamic_cast<const faiss::IndexFlatIP *>(index) != nullptr) return EXF_FLAT;
    return -1;
}

using idx_t = faiss::Index::idx_t;

/// The IVF search (IVF-Flat and IVF-SQ8 over an IndexFlatIP quantizer) done here rather than by
/// faiss: Debian's libfaiss 1.7.3 is compiled for the x86-64 baseline, so its list scanners run
/// SSE code (measured 5-7x slower than PyPI's AVX2 build). This keeps faiss's quantizer, lists
/// and SQ8 codec and scores with list_scan.h: the centroids by inner product, the `nprobe` best
/// lists, each code's inner product with the query (IVF-SQ8: x = vmin + (code + 0.5) / 255 · vdiff
/// per dimension, plus the centroid's score for residual codes, as faiss's IVFSQScannerIP), the
/// `k` best in `scores`/`labels` (best first; -1 and -inf past the end). Const and allocation-
/// local: concurrent calls are safe. Returns false for an index it does not cover (then faiss searches).
bool searchIVF(const faiss::Index *index, const float *query, int64_t k, size_t nprobe, float *scores, idx_t *labels) {
    auto *ivf = dynamic_cast<const faiss::IndexIVF *>(index);
    if (ivf == nullptr) return false;
    auto *coarse = dynamic_cast<const faiss::IndexFlat *>(ivf->quantizer);
    if (coarse == nullptr || coarse->metric_type != faiss::METRIC_INNER_PRODUCT || coarse->ntotal != static_cast<idx_t>(ivf->nlist)) return false;
    const size_t d = static_cast<size_t>(ivf->d), nlist = ivf->nlist;
    auto *sq = dynamic_cast<const faiss::IndexIVFScalarQuantizer *>(ivf);
    const bool flat = dynamic_cast<const faiss::IndexIVFFlat *>(ivf) != nullptr;
    std::vector<float> weights;
    float base = 0;
    bool residual = false;
    if (sq != nullptr) {
        if (sq->sq.qtype != faiss::ScalarQuantizer::QT_8bit || sq->sq.trained.size() != 2 * d || sq->code_size != d) return false;
        const float *vmin = sq->sq.trained.data(), *vdiff = vmin + d;
        weights.resize(d);
        for (size_t i = 0; i < d; i++) {
            weights[i] = query[i] * vdiff[i] / 255.0f;
            base += query[i] * (vmin[i] + 0.5f * vdiff[i] / 255.0f);
        }
        residual = sq->by_residual;
    } else if (!flat || ivf->code_size != d * sizeof(float)) {
        return false;
    }
    nprobe = std::max<size_t>(1, std::min(nprobe == 0 ? ivf->nprobe : nprobe, nlist));
    std::vector<float> centroid(nlist);
    exf_scan::dotFloatRows(query, coarse->get_xb(), nlist, d, centroid.data());
    std::vector<idx_t> lists(nlist);
    for (size_t i = 0; i < nlist; i++) lists[i] = static_cast<idx_t>(i);
    std::partial_sort(lists.begin(), lists.begin() + nprobe, lists.end(), [&](idx_t a, idx_t b) {
        return centroid[a] != centroid[b] ? centroid[a] > centroid[b] : a < b;
    });
    // The best k (score, id) as a heap ordered by `better`: the worst kept is on top.
    std::vector<std::pair<float, idx_t>> heap;
    heap.reserve(static_cast<size_t>(k));
    auto better = [](const std::pair<float, idx_t> &a, const std::pair<float, idx_t> &b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    };
    std::vector<float> found;
    const faiss::InvertedLists *invlists = ivf->invlists;
    // Mapped lists on a cold page cache: ask for every probed list's pages at once, so the
    // disk reads overlap instead of one list's read waiting for the last one's scan.
    if (dynamic_cast<const faiss::OnDiskInvertedLists *>(invlists) != nullptr) {
        const long page = sysconf(_SC_PAGESIZE);
        for (size_t p = 0; p < nprobe; p++) {
            const size_t n = invlists->list_size(lists[p]);
            if (n == 0) continue;
            faiss::InvertedLists::ScopedCodes codes(invlists, lists[p]);
            faiss::InvertedLists::ScopedIds ids(invlists, lists[p]);
            for (auto [at, bytes] : {std::pair<const void *, size_t>(codes.get(), n * ivf->code_size),
                                     std::pair<const void *, size_t>(ids.get(), n * sizeof(idx_t))}) {
                const uintptr_t start = reinterpret_cast<uintptr_t>(at) / page * page;
                madvise(reinterpret_cast<void *>(start), reinterpret_cast<uintptr_t>(at) + bytes - start, MADV_WILLNEED);
            }
        }
    }
    for (size_t p = 0; p < nprobe; p++) {
        const idx_t list = lists[p];
        const size_t n = invlists->list_size(list);
        if (n == 0) continue;
        faiss::InvertedLists::ScopedCodes codes(invlists, list);
        faiss::InvertedLists::ScopedIds ids(invlists, list);
        found.resize(n);
        float offset = 0;
        if (sq != nullptr) {
            exf_scan::dotByteRows(weights.data(), codes.get(), n, d, found.data());
            offset = base + (residual ? centroid[list] : 0);
        } else {
            exf_scan::dotFloatRows(query, reinterpret_cast<const float *>(codes.get()), n, d, found.data());
        }
        const idx_t *rowIDs = ids.get();
        for (size_t j = 0; j < n; j++) {
            std::pair<float, idx_t> item(found[j] + offset, rowIDs[j]);
            if (heap.size() < static_cast<size_t>(k)) {
                heap.push_back(item);
                std::push_heap(heap.begin(), heap.end(), better);
            } else if (better(item, heap.front())) {
                std::pop_heap(heap.begin(), heap.end(), better);
                heap.back() = item;
                std::push_heap(heap.begin(), heap.end(), better);
            }
        }
    }
    std::sort(heap.begin(), heap.end(), better);
    for (int64_t j = 0; j < k; j++) {
        const bool has = static_cast<size_t>(j) < heap.size();
        scores[j] = has ? heap[j].first : -std::numeric_limits<float>::infinity();
        labels[j] = has ? heap[j].second : -1;
    }
    return true;
}

}  // namespace

extern "C" {

int exf_create(int kind, int dimension, int parameter, int ef_construction, exf_index **out, char *error,
               size_t error_length) {
    *out = nullptr;
    if (dimension <= 0) return fail(error, error_length, "the dimension must be positive");
    if (kind != EXF_FLAT && parameter <= 0) return fail(error, error_length, "nlist / M must be positive");
    return guarded(error, error_length, [&] {
        auto made = std::make_unique<exf_index>();
        made->kind = kind;
        switch (kind) {
        case EXF_FLAT:
            made->index = std::make_unique<faiss::IndexFlatIP>(dimension);
            break;
        case EXF_IVF_FLAT: {
            auto ivf = std::make_unique<faiss::IndexIVFFlat>(new faiss::IndexFlatIP(dimension), dimension,
                                                             parameter, faiss::METRIC_INNER_PRODUCT);
            ivf->own_fields = true;
            made->index = std::move(ivf);
            break;
        }
        case EXF_IVF_SQ8: {
            auto ivf = std::make_unique<faiss::IndexIVFScalarQuantizer>(
                new faiss::IndexFlatIP(dimension), dimension, parameter, faiss::ScalarQuantizer::QT_8bit,
                faiss::METRIC_INNER_PRODUCT);
            ivf->own_fields = true;
            made->index = std::move(ivf);
            break;
        }
        case EXF_HNSW: {
            auto hnsw = std::make_unique<faiss::IndexHNSWFlat>(dimension, parameter, faiss::METRIC_INNER_PRODUCT);
            if (ef_construction > 0) hnsw->hnsw.efConstruction = ef_construction;
            made->index = std::move(hnsw);
            break;
        }
        default:
            throw std::invalid_argument("unknown index kind");
        }
        *out = made.release();
    });
}

int exf_train(exf_index *index, int64_t n, const float *vectors, char *error, size_t error_length) {
    return guarded(error, error_length, [&] {
        if (!index->index->is_trained) index->index->train(n, vectors);
    });
}

int exf_add(exf_index *index, int64_t n, const float *vectors, char *error, size_t error_length) {
    return guarded(error, error_length, [&] {
        if (!index->index->is_trained) throw std::invalid_argument("the index is not trained");
        // faiss links HNSW nodes from several threads in an order that varies run to run; a
        // small partition is added on one thread, so the same vectors give the same graph
        // (and the same results) every time, at a cost of well under a second.
        struct Restore {
            int threads = omp_get_max_threads();
            ~Restore() { omp_set_num_threads(threads); }
        } restore;
        if (n < 20000) omp_set_num_threads(1);
        index->index->add(n, vectors);
    });
}

namespace {

int searchWith(const exf_index *index, int64_t n, const float *queries, int64_t k, int nprobe, int ef_search,
               float *scores, int64_t *ids, bool own, char *error, size_t error_length) {
    return guarded(error, error_length, [&] {
        static_assert(sizeof(idx_t) == sizeof(int64_t), "faiss ids are 64-bit");
        auto *labels = reinterpret_cast<idx_t *>(ids);
        const bool ivf = index->kind == EXF_IVF_FLAT || index->kind == EXF_IVF_SQ8;
        const size_t probes = static_cast<size_t>(std::max(nprobe, 0)), d = static_cast<size_t>(index->index->d);
        if (own && ivf && searchIVF(index->index.get(), queries, k, probes, scores, labels)) {
            for (int64_t q = 1; q < n; q++) searchIVF(index->index.get(), queries + q * d, k, probes, scores + q * k, labels + q * k);
        } else if (index->kind == EXF_HNSW && ef_search > 0) {
            faiss::SearchParametersHNSW params;
            params.efSearch = ef_search;
            index->index->search(n, queries, k, scores, labels, &params);
        } else if (ivf && nprobe > 0) {
            faiss::SearchParametersIVF params;
            params.nprobe = probes;
            index->index->search(n, queries, k, scores, labels, &params);
        } else {
            index->index->search(n, queries, k, scores, labels);
        }
    });
}

}  // namespace

int exf_search(const exf_index *index, int64_t n, const float *queries, int64_t k, int nprobe, int ef_search,
               float *scores, int64_t *ids, char *error, size_t error_length) {
    return searchWith(index, n, queries, k, nprobe, ef_search, scores, ids, true, error, error_length);
}

int exf_search_faiss(const exf_index *index, int64_t n, const float *queries, int64_t k, int nprobe, int ef_search,
                     float *scores, int64_t *ids, char *error, size_t error_length) {
    return searchWith(index, n, queries, k, nprobe, ef_search, scores, ids, false, error, error_length);
}

int exf_write(const exf_index *index, const char *path, char *error, size_t error_length) {
    return guarded(error, error_length, [&] { faiss::write_index(index->index.get(), path); });
}

int exf_read(const char *path, int map, exf_index **out, char *error, size_t error_length) {
    *out = nullptr;
    return guarded(error, error_length, [&] {
        std::unique_ptr<faiss::Index> read(faiss::read_index(path, map ? faiss::IO_FLAG_MMAP : 0));
        if (auto *ivf = dynamic_cast<faiss::IndexIVF *>(read.get())) {
            if (auto *lists = dynamic_cast<faiss::OnDiskInvertedLists *>(ivf->invlists)) {
                // faiss lays the mapped lists out from their sizes without checking that they
                // fit the file: a truncated file would be a SIGBUS at the first search.
                size_t end = 0, total = 0;
                for (const auto &list : lists->lists) {
                    end = std::max(end, list.offset + list.size * (sizeof(faiss::Index::idx_t) + lists->code_size));
                    total += list.size;
                }
                if (end > lists->totsize) throw std::invalid_argument("the inverted lists run past the end of the file (truncated)");
                if (total != static_cast<size_t>(read->ntotal)) throw std::invalid_argument("the inverted lists do not hold ntotal vectors");
                lists->prefetch_nthread = 0;  // the pages come from the page cache; no reader threads per search
            }
        }
        int kind = kindOf(read.get());
        if (kind < 0) throw std::invalid_argument("not a flat, IVF-Flat, IVF-SQ8 or HNSW-Flat index");
        if (read->metric_type != faiss::METRIC_INNER_PRODUCT) throw std::invalid_argument("not an inner-product index");
        auto made = std::make_unique<exf_index>();
        made->index = std::move(read);
        made->kind = kind;
        *out = made.release();
    });
}

int64_t exf_warm(const exf_index *index, int64_t most) {
    const auto *ivf = dynamic_cast<const faiss::IndexIVF *>(index->index.get());
    if (ivf == nullptr) return 0;
    const auto *lists = dynamic_cast<const faiss::OnDiskInvertedLists *>(ivf->invlists);
    if (lists == nullptr || lists->ptr == nullptr || lists->totsize > static_cast<uint64_t>(std::max<int64_t>(most, 0))) return 0;
    // The lists lie in [0, totsize) of the mapping: in 64 MiB steps, ask for the step's pages
    // (MADV_WILLNEED starts the reads at once), then touch one byte per page, which waits.
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE)), step = size_t(64) << 20;
    const volatile uint8_t *base = lists->ptr;
    uint8_t sink = 0;
    for (size_t at = 0; at < lists->totsize; at += step) {
        const size_t bytes = std::min(step, lists->totsize - at);
        madvise(const_cast<uint8_t *>(lists->ptr) + at, bytes, MADV_WILLNEED);
        for (size_t p = 0; p < bytes; p += page) sink ^= base[at + p];
    }
    (void)sink;
    return static_cast<int64_t>(lists->totsize);
}

int64_t exf_count(const exf_index *index) { return index->index->ntotal; }
int exf_dimension(const exf_index *index) { return index->index->d; }
int exf_kind_of(const exf_index *index) { return index->kind; }
int exf_is_trained(const exf_index *index) { return index->index->is_trained ? 1 : 0; }
int64_t exf_lists(const exf_index *index) {
    auto *ivf = dynamic_cast<const faiss::IndexIVF *>(index->index.get());
    return ivf == nullptr ? 0 : static_cast<int64_t>(ivf->nlist);
}
void exf_free(exf_index *index) { delete index; }
void exf_set_threads(int threads) { omp_set_num_threads(threads > 0 ? threads : 1); }

}  // extern "C"
