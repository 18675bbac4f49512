// Scoring kernels for the shim's own IVF list scan (list_scan.cpp). No faiss here: plain
// arrays in, scores out; an AVX2 body chosen at run time, a portable body otherwise.
#ifndef EXEMPLAR_LIST_SCAN_H
#define EXEMPLAR_LIST_SCAN_H

#include <cstddef>
#include <cstdint>

namespace exf_scan {

/// out[j] = Σ_i q[i] · rows[j·d + i] for `n` row-major float rows of dimension `d`.
void dotFloatRows(const float *q, const float *rows, size_t n, size_t d, float *out);

/// out[j] = Σ_i w[i] · codes[j·d + i] for `n` rows of `d` unsigned 8-bit codes.
void dotByteRows(const float *w, const uint8_t *codes, size_t n, size_t d, float *out);

}  // namespace exf_scan

#endif
