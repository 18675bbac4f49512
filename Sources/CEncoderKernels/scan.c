/* Approximate scores of int8-coded rows against a float32 weight vector: the exact search's
 * prefilter reads one byte per value instead of four (ExactIndex rescoring keeps it exact). */
#include "internal.h"

void ek_s8_scores_portable(const int8_t *codes, int rows, int dim, const float *weights, float *out) {
    for (int r = 0; r < rows; r++) {
        const int8_t *c = codes + (size_t)r * dim;
        float s = 0;
        for (int i = 0; i < dim; i++) s += (float)c[i] * weights[i];
        out[r] = s;
    }
}

#if EK_X86
/* Four rows at a time: each 16-value chunk of the weights is loaded once for the four rows. */
EK_AVX512_TARGET static void scores_avx512(const int8_t *codes, int rows, int dim, const float *weights, float *out) {
    const int full = dim & ~15;
    const __mmask16 tail = (__mmask16)((1u << (dim - full)) - 1u);
    int r = 0;
    for (; r + 4 <= rows; r += 4) {
        const int8_t *c0 = codes + (size_t)r * dim, *c1 = c0 + dim, *c2 = c1 + dim, *c3 = c2 + dim;
        __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
        int i = 0;
        for (; i < full; i += 16) {
            const __m512 w = _mm512_loadu_ps(weights + i);
            a0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(c0 + i)))), w, a0);
            a1 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(c1 + i)))), w, a1);
            a2 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(c2 + i)))), w, a2);
            a3 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(c3 + i)))), w, a3);
        }
        if (tail) {
            const __m512 w = _mm512_maskz_loadu_ps(tail, weights + i);
            a0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(tail, c0 + i))), w, a0);
            a1 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(tail, c1 + i))), w, a1);
            a2 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(tail, c2 + i))), w, a2);
            a3 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(tail, c3 + i))), w, a3);
        }
        out[r] = _mm512_reduce_add_ps(a0);
        out[r + 1] = _mm512_reduce_add_ps(a1);
        out[r + 2] = _mm512_reduce_add_ps(a2);
        out[r + 3] = _mm512_reduce_add_ps(a3);
    }
    if (r < rows) ek_s8_scores_portable(codes + (size_t)r * dim, rows - r, dim, weights, out + r);
}

/* The same on AVX2: eight values per step. */
EK_AVX2_TARGET static void scores_avx2(const int8_t *codes, int rows, int dim, const float *weights, float *out) {
    const int full = dim & ~7;
    int r = 0;
    for (; r + 4 <= rows; r += 4) {
        const int8_t *c0 = codes + (size_t)r * dim, *c1 = c0 + dim, *c2 = c1 + dim, *c3 = c2 + dim;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
        for (int i = 0; i < full; i += 8) {
            const __m256 w = _mm256_loadu_ps(weights + i);
            a0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(c0 + i)))), w, a0);
            a1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(c1 + i)))), w, a1);
            a2 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(c2 + i)))), w, a2);
            a3 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(c3 + i)))), w, a3);
        }
        float lanes[4][8];
        _mm256_storeu_ps(lanes[0], a0); _mm256_storeu_ps(lanes[1], a1);
        _mm256_storeu_ps(lanes[2], a2); _mm256_storeu_ps(lanes[3], a3);
        const int8_t *rows4[4] = {c0, c1, c2, c3};
        for (int j = 0; j < 4; j++) {
            float s = ((lanes[j][0] + lanes[j][1]) + (lanes[j][2] + lanes[j][3])) + ((lanes[j][4] + lanes[j][5]) + (lanes[j][6] + lanes[j][7]));
            for (int i = full; i < dim; i++) s += (float)rows4[j][i] * weights[i];
            out[r + j] = s;
        }
    }
    if (r < rows) ek_s8_scores_portable(codes + (size_t)r * dim, rows - r, dim, weights, out + r);
}
#endif

int ek_s8_q16_levels(int dim) {
    const long most = 2147483647L / (127L * (dim > 0 ? dim : 1));
    return most < 32767 ? (int)most : 32767;
}

void ek_s8_q16_scores_portable(const int8_t *codes, int rows, int dim, const int16_t *weights, float step, float *out) {
    for (int r = 0; r < rows; r++) {
        const int8_t *c = codes + (size_t)r * dim;
        int32_t s = 0;
        for (int i = 0; i < dim; i++) s += (int32_t)c[i] * (int32_t)weights[i];
        out[r] = (float)s * step;
    }
}

#if EK_X86
/* Four rows at a time, 32 values per step: codes widened to int16, one vpdpwssd per row. */
EK_VNNI_TARGET static void q16_scores_vnni(const int8_t *codes, int rows, int dim, const int16_t *weights, float step, float *out) {
    const int full = dim & ~31;
    const __mmask32 tail = (__mmask32)((1ull << (dim - full)) - 1ull);
    int r = 0;
    for (; r + 4 <= rows; r += 4) {
        const int8_t *c0 = codes + (size_t)r * dim, *c1 = c0 + dim, *c2 = c1 + dim, *c3 = c2 + dim;
        __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (; i < full; i += 32) {
            const __m512i w = _mm512_loadu_si512((const void *)(weights + i));
            a0 = _mm512_dpwssd_epi32(a0, _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(c0 + i))), w);
            a1 = _mm512_dpwssd_epi32(a1, _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(c1 + i))), w);
            a2 = _mm512_dpwssd_epi32(a2, _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(c2 + i))), w);
            a3 = _mm512_dpwssd_epi32(a3, _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(c3 + i))), w);
        }
        if (tail) {
            const __m512i w = _mm512_maskz_loadu_epi16(tail, weights + i);
            a0 = _mm512_dpwssd_epi32(a0, _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(tail, c0 + i)), w);
            a1 = _mm512_dpwssd_epi32(a1, _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(tail, c1 + i)), w);
            a2 = _mm512_dpwssd_epi32(a2, _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(tail, c2 + i)), w);
            a3 = _mm512_dpwssd_epi32(a3, _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(tail, c3 + i)), w);
        }
        out[r] = (float)_mm512_reduce_add_epi32(a0) * step;
        out[r + 1] = (float)_mm512_reduce_add_epi32(a1) * step;
        out[r + 2] = (float)_mm512_reduce_add_epi32(a2) * step;
        out[r + 3] = (float)_mm512_reduce_add_epi32(a3) * step;
    }
    if (r < rows) ek_s8_q16_scores_portable(codes + (size_t)r * dim, rows - r, dim, weights, step, out + r);
}
#endif

void ek_s8_q16_scores(const int8_t *codes, int rows, int dim, const int16_t *weights, float step, float *out) {
#if EK_X86
    if (ek_has(EK_AVX512 | EK_AVX512_VNNI)) { q16_scores_vnni(codes, rows, dim, weights, step, out); return; }
#endif
    ek_s8_q16_scores_portable(codes, rows, dim, weights, step, out);
}

void ek_s8_scores(const int8_t *codes, int rows, int dim, const float *weights, float *out) {
#if EK_X86
    if (ek_has(EK_AVX512)) { scores_avx512(codes, rows, dim, weights, out); return; }
    if (ek_has(EK_AVX2)) { scores_avx2(codes, rows, dim, weights, out); return; }
#endif
    ek_s8_scores_portable(codes, rows, dim, weights, out);
}
