// The faiss shim: the C surface of include/exemplar_faiss.h over faiss 1.7.3's C++ API.
#include "exemplar_faiss.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/IndexScalarQuantizer.h>
#include <faiss/index_io.h>
#include <faiss/invlists/OnDiskInvertedLists.h>
#include <omp.h>

#include <algorithm>
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

int exf_search(const exf_index *index, int64_t n, const float *queries, int64_t k, int nprobe, int ef_search,
               float *scores, int64_t *ids, char *error, size_t error_length) {
    return guarded(error, error_length, [&] {
        static_assert(sizeof(faiss::Index::idx_t) == sizeof(int64_t), "faiss ids are 64-bit");
        auto *labels = reinterpret_cast<faiss::Index::idx_t *>(ids);
        if (index->kind == EXF_HNSW && ef_search > 0) {
            faiss::SearchParametersHNSW params;
            params.efSearch = ef_search;
            index->index->search(n, queries, k, scores, labels, &params);
        } else if ((index->kind == EXF_IVF_FLAT || index->kind == EXF_IVF_SQ8) && nprobe > 0) {
            faiss::SearchParametersIVF params;
            params.nprobe = static_cast<size_t>(nprobe);
            index->index->search(n, queries, k, scores, labels, &params);
        } else {
            index->index->search(n, queries, k, scores, labels);
        }
    });
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

int64_t exf_count(const exf_index *index) { return index->index->ntotal; }
int exf_dimension(const exf_index *index) { return index->index->d; }
int exf_kind_of(const exf_index *index) { return index->kind; }
int exf_is_trained(const exf_index *index) { return index->index->is_trained ? 1 : 0; }
void exf_free(exf_index *index) { delete index; }
void exf_set_threads(int threads) { omp_set_num_threads(threads > 0 ? threads : 1); }

}  // extern "C"
