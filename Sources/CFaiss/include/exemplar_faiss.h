// The C surface of the faiss shim: the only code that touches faiss (Debian's libfaiss-dev
// 1.7.3, a static C++ library with no C API of its own). Every function catches faiss's C++
// exceptions and returns a status instead: 0 on success, -1 with a message in `error`.
//
// Threading (faiss's rules, written here because the Swift side relies on them): concurrent
// `exf_search` calls on one index are safe (search is const and the per-call parameters are
// passed as faiss SearchParameters, never set on the index); `exf_train`, `exf_add` and
// `exf_free` need exclusive access. faiss parallelises inside a call with OpenMP;
// `exf_set_threads` sets OpenMP's process-wide thread count.
#ifndef EXEMPLAR_FAISS_H
#define EXEMPLAR_FAISS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An opaque faiss index (inner-product metric).
typedef struct exf_index exf_index;

/// The kinds of approximate index.
enum exf_kind {
    EXF_FLAT = 0,      ///< IndexFlatIP: exact, the reference.
    EXF_IVF_FLAT = 1,  ///< IndexIVFFlat over an IndexFlatIP quantizer; `parameter` = nlist.
    EXF_IVF_SQ8 = 2,   ///< IndexIVFScalarQuantizer, 8-bit per dimension; `parameter` = nlist.
    EXF_HNSW = 3       ///< IndexHNSWFlat; `parameter` = M (links per node).
};

/// A new empty index of `dimension` for `kind`; HNSW also takes efConstruction.
int exf_create(int kind, int dimension, int parameter, int ef_construction, exf_index **out,
               char *error, size_t error_length);
/// Trains an IVF index's coarse quantizer (and SQ8's ranges) on `n` row-major vectors; a no-op for flat and HNSW.
int exf_train(exf_index *index, int64_t n, const float *vectors, char *error, size_t error_length);
/// Adds `n` vectors; they get the ids ntotal, ntotal + 1, ...
int exf_add(exf_index *index, int64_t n, const float *vectors, char *error, size_t error_length);
/// The `k` nearest of each of `n` queries by inner product: `scores` and `ids` are n * k,
/// best first, id -1 where fewer exist. IVF-Flat and IVF-SQ8 lists are scored by the shim's
/// own kernels (faiss's quantizer, lists and codec; equal to faiss's scores up to float rounding). `nprobe` (IVF) and `ef_search` (HNSW) apply to this call
/// only; 0 keeps the index's own.
int exf_search(const exf_index *index, int64_t n, const float *queries, int64_t k, int nprobe, int ef_search,
               float *scores, int64_t *ids, char *error, size_t error_length);
/// `exf_search` through faiss's own search for every kind. `exf_search` walks IVF lists with
/// the shim's AVX2 scan (Debian's libfaiss is built for SSE2); this is the reference it is
/// tested against and the benchmark's comparison.
int exf_search_faiss(const exf_index *index, int64_t n, const float *queries, int64_t k, int nprobe, int ef_search,
                     float *scores, int64_t *ids, char *error, size_t error_length);
/// Writes the index to `path` (faiss's own format). The caller makes the write atomic.
int exf_write(const exf_index *index, const char *path, char *error, size_t error_length);
/// Reads an index `exf_write` wrote; checks it is one of the kinds above with an inner-product metric.
/// With `map` non-zero, an IVF index's inverted lists (its vectors or codes: nearly all of it)
/// are memory-mapped read-only from the file instead of read into memory (faiss's
/// IO_FLAG_MMAP; concurrent searches stay safe: the mapped lists are only read), after a check
/// that they lie inside the file. The file must then stay unchanged while the index is open.
int exf_read(const char *path, int map, exf_index **out, char *error, size_t error_length);
/// The number of vectors, the dimension, the kind, whether it is trained.
int64_t exf_count(const exf_index *index);
int exf_dimension(const exf_index *index);
int exf_kind_of(const exf_index *index);
int exf_is_trained(const exf_index *index);
/// An IVF index's list count (nlist); 0 for other kinds.
int64_t exf_lists(const exf_index *index);
/// Reads every page of an IVF index's memory-mapped inverted lists once, so later searches
/// find them in the page cache instead of waiting on the disk list by list; returns the bytes
/// read (0 for an index held in memory, or one whose mapping is larger than `most` bytes: it
/// would only push other pages out). Safe beside `exf_search` (it only reads).
int64_t exf_warm(const exf_index *index, int64_t most);
/// Frees the index (NULL is allowed).
void exf_free(exf_index *index);
/// OpenMP's thread count for faiss's own parallel loops.
void exf_set_threads(int threads);

#ifdef __cplusplus
}
#endif

#endif
