// The scoring kernels of list_scan.h: an AVX2 + FMA body when the CPU has it, a portable one
// otherwise (both sum in float; they may differ from each other in the last bits).
#include "list_scan.h"

#include <immintrin.h>

namespace exf_scan {
namespace {

void dotFloatRowsPortable(const float *q, const float *rows, size_t n, size_t d, float *out) {
    for (size_t j = 0; j < n; j++) {
        const float *r = rows + j * d;
        float s = 0;
        for (size_t i = 0; i < d; i++) s += q[i] * r[i];
        out[j] = s;
    }
}

void dotByteRowsPortable(const float *w, const uint8_t *codes, size_t n, size_t d, float *out) {
    for (size_t j = 0; j < n; j++) {
        const uint8_t *c = codes + j * d;
        float s = 0;
        for (size_t i = 0; i < d; i++) s += w[i] * static_cast<float>(c[i]);
        out[j] = s;
    }
}

__attribute__((target("avx2,fma"))) inline float sum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// 8 elements of a row as floats, for `dotRowsAVX2`: float rows as they are, uint8 codes widened.
struct FloatRows {
    using Element = float;
    __attribute__((target("avx2,fma"))) static __m256 load(const float *p) { return _mm256_loadu_ps(p); }
};
struct ByteRows {
    using Element = uint8_t;
    __attribute__((target("avx2,fma"))) static __m256 load(const uint8_t *c) {
        return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(c))));
    }
};

/// out[j] = Σ_i w[i] · rows[j·d + i], four 8-wide accumulators, a scalar tail.
template <class Rows>
__attribute__((target("avx2,fma"))) void dotRowsAVX2(const float *w, const typename Rows::Element *rows, size_t n, size_t d, float *out) {
    const size_t wide = d & ~size_t(31), eights = d & ~size_t(7);
    for (size_t j = 0; j < n; j++) {
        const typename Rows::Element *r = rows + j * d;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        size_t i = 0;
        for (; i < wide; i += 32) {
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), Rows::load(r + i), a0);
            a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 8), Rows::load(r + i + 8), a1);
            a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 16), Rows::load(r + i + 16), a2);
            a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 24), Rows::load(r + i + 24), a3);
        }
        for (; i < eights; i += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), Rows::load(r + i), a0);
        float s = sum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
        for (; i < d; i++) s += w[i] * static_cast<float>(r[i]);
        out[j] = s;
    }
}

bool hasAVX2() {
    static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return has;
}

}  // namespace

void dotFloatRows(const float *q, const float *rows, size_t n, size_t d, float *out) {
    if (hasAVX2()) dotRowsAVX2<FloatRows>(q, rows, n, d, out); else dotFloatRowsPortable(q, rows, n, d, out);
}

void dotByteRows(const float *w, const uint8_t *codes, size_t n, size_t d, float *out) {
    if (hasAVX2()) dotRowsAVX2<ByteRows>(w, codes, n, d, out); else dotByteRowsPortable(w, codes, n, d, out);
}

}  // namespace exf_scan
