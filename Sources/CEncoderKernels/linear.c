/* float32 linear layers with weights packed once at load (see the header): a 6-row × 64-column
 * register tile, one broadcast of an input value and four FMAs per step. */
#include "internal.h"
#include <math.h>
#include <string.h>

size_t ek_f32_packed_floats(int n, int k) { return (size_t)((n + 15) / 16) * 16 * (size_t)k; }

void ek_f32_pack_weights(const float *w, int n, int k, int ldw, float *packed) {
    memset(packed, 0, ek_f32_packed_floats(n, k) * sizeof(float));
    for (int c = 0; c < n; c++) {
        float *block = packed + (size_t)(c / 16) * 16 * k + c % 16;
        const float *row = w + (size_t)c * ldw;
        for (int i = 0; i < k; i++) block[(size_t)i * 16] = row[i];
    }
}

void ek_f32_gemm_portable(const float *a, int m, int k, int lda, const float *packed, const float *bias, int n,
                          float *out, int ldc) {
    for (int r = 0; r < m; r++) {
        const float *row = a + (size_t)r * lda;
        for (int c = 0; c < n; c++) {
            const float *col = packed + (size_t)(c / 16) * 16 * k + c % 16;
            float s = 0;
            for (int i = 0; i < k; i++) s = fmaf(row[i], col[(size_t)i * 16], s);
            out[(size_t)r * ldc + c] = s + (bias ? bias[c] : 0.0f);
        }
    }
}

#if EK_X86
EK_AVX512_TARGET static inline __attribute__((always_inline))
void f32_tile(int R, int B, const float *a, int lda, const float *blocks, size_t block_floats, int k,
              const float *bias, int n, int c0, float *out, int ldc) {
    __m512 acc[6][4];
    for (int r = 0; r < R; r++)
        for (int b = 0; b < B; b++) acc[r][b] = _mm512_setzero_ps();
    for (int i = 0; i < k; i++) {
        __m512 w[4];
        for (int b = 0; b < B; b++) w[b] = _mm512_loadu_ps(blocks + b * block_floats + (size_t)i * 16);
        for (int r = 0; r < R; r++) {
            const __m512 av = _mm512_set1_ps(a[(size_t)r * lda + i]);
            for (int b = 0; b < B; b++) acc[r][b] = _mm512_fmadd_ps(av, w[b], acc[r][b]);
        }
    }
    for (int b = 0; b < B; b++) {
        const int c = c0 + 16 * b, valid = n - c < 16 ? n - c : 16;
        const __mmask16 mask = (__mmask16)((1u << valid) - 1u);
        const __m512 bv = bias ? _mm512_maskz_loadu_ps(mask, bias + c) : _mm512_setzero_ps();
        for (int r = 0; r < R; r++) _mm512_mask_storeu_ps(out + (size_t)r * ldc + c, mask, _mm512_add_ps(acc[r][b], bv));
    }
}

#define EK_F32_TILE(R, B) f32_tile(R, B, a + (size_t)r0 * lda, lda, packed + (size_t)b0 * block_floats, block_floats, k, \
                                  bias, n, b0 * 16, out + (size_t)r0 * ldc, ldc)

EK_AVX512_TARGET static void f32_gemm_avx512(const float *a, int m, int k, int lda, const float *packed, const float *bias,
                                             int n, float *out, int ldc) {
    const int nblocks = (n + 15) / 16;
    const size_t block_floats = (size_t)16 * k;
    EK_FOR_EACH_TILE(m, nblocks, EK_F32_TILE)
}
#undef EK_F32_TILE

/* AVX2: R rows (≤ 6) × one block of 16 outputs as two 8-float halves (12 accumulators); the
 * same fused multiply-add per term in index order as the other bodies, so the same bits. */
EK_AVX2_TARGET static inline __attribute__((always_inline))
void f32_tile_avx2(int R, const float *a, int lda, const float *block, int k, const float *bias, int n, int c,
                   float *out, int ldc) {
    __m256 lo[6], hi[6];
    for (int r = 0; r < R; r++) { lo[r] = _mm256_setzero_ps(); hi[r] = _mm256_setzero_ps(); }
    for (int i = 0; i < k; i++) {
        const __m256 w0 = _mm256_loadu_ps(block + (size_t)i * 16), w1 = _mm256_loadu_ps(block + (size_t)i * 16 + 8);
        for (int r = 0; r < R; r++) {
            const __m256 av = _mm256_broadcast_ss(a + (size_t)r * lda + i);
            lo[r] = _mm256_fmadd_ps(av, w0, lo[r]);
            hi[r] = _mm256_fmadd_ps(av, w1, hi[r]);
        }
    }
    const int valid = n - c < 16 ? n - c : 16;
    for (int r = 0; r < R; r++) {
        float tmp[16];
        _mm256_storeu_ps(tmp, lo[r]);
        _mm256_storeu_ps(tmp + 8, hi[r]);
        float *o = out + (size_t)r * ldc + c;
        for (int j = 0; j < valid; j++) o[j] = tmp[j] + (bias ? bias[c + j] : 0.0f);
    }
}

EK_AVX2_TARGET static void f32_gemm_avx2(const float *a, int m, int k, int lda, const float *packed, const float *bias,
                                         int n, float *out, int ldc) {
    const int nblocks = (n + 15) / 16;
    for (int b = 0; b < nblocks; b++) {
        const float *block = packed + (size_t)b * 16 * k;
        int r0 = 0;
        for (; r0 + 6 <= m; r0 += 6) f32_tile_avx2(6, a + (size_t)r0 * lda, lda, block, k, bias, n, 16 * b, out + (size_t)r0 * ldc, ldc);
        /* The last 1-5 rows as one tile (a single-row tile waits on its two FMA chains). */
        const float *ar = a + (size_t)r0 * lda;
        float *o = out + (size_t)r0 * ldc;
        switch (m - r0) {
        case 5: f32_tile_avx2(5, ar, lda, block, k, bias, n, 16 * b, o, ldc); break;
        case 4: f32_tile_avx2(4, ar, lda, block, k, bias, n, 16 * b, o, ldc); break;
        case 3: f32_tile_avx2(3, ar, lda, block, k, bias, n, 16 * b, o, ldc); break;
        case 2: f32_tile_avx2(2, ar, lda, block, k, bias, n, 16 * b, o, ldc); break;
        case 1: f32_tile_avx2(1, ar, lda, block, k, bias, n, 16 * b, o, ldc); break;
        default: break;
        }
    }
}
#endif

void ek_f32_gemm(const float *a, int m, int k, int lda, const float *packed, const float *bias, int n,
                 float *out, int ldc) {
#if EK_X86
    if (ek_has(EK_AVX512)) { f32_gemm_avx512(a, m, k, lda, packed, bias, n, out, ldc); return; }
    if (ek_has(EK_AVX2)) { f32_gemm_avx2(a, m, k, lda, packed, bias, n, out, ldc); return; }
#endif
    ek_f32_gemm_portable(a, m, k, lda, packed, bias, n, out, ldc);
}
