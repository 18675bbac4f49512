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
    for (int r = 0; r < 6; r++)
        for (int b = 0; b < 4; b++) acc[r][b] = _mm512_setzero_ps();
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

#define EK_F32_TILE(R, B) f32_tile(R, B, a + (size_t)r0 * lda, lda, blocks, block_floats, k, bias, n, c0, out + (size_t)r0 * ldc, ldc)

EK_AVX512_TARGET static void f32_gemm_avx512(const float *a, int m, int k, int lda, const float *packed, const float *bias,
                                             int n, float *out, int ldc) {
    const int nblocks = (n + 15) / 16;
    const size_t block_floats = (size_t)16 * k;
    /* A panel of 4 blocks (64 outputs × k floats) stays in L2 while every row passes. */
    for (int b0 = 0; b0 < nblocks; b0 += 4) {
        const int B = nblocks - b0 < 4 ? nblocks - b0 : 4;
        const float *blocks = packed + (size_t)b0 * block_floats;
        const int c0 = b0 * 16;
        int r0 = 0;
        switch (B) {
        case 4: for (; r0 + 6 <= m; r0 += 6) EK_F32_TILE(6, 4); for (; r0 < m; r0++) EK_F32_TILE(1, 4); break;
        case 3: for (; r0 + 6 <= m; r0 += 6) EK_F32_TILE(6, 3); for (; r0 < m; r0++) EK_F32_TILE(1, 3); break;
        case 2: for (; r0 + 6 <= m; r0 += 6) EK_F32_TILE(6, 2); for (; r0 < m; r0++) EK_F32_TILE(1, 2); break;
        default: for (; r0 + 6 <= m; r0 += 6) EK_F32_TILE(6, 1); for (; r0 < m; r0++) EK_F32_TILE(1, 1); break;
        }
    }
}
#undef EK_F32_TILE
#endif

void ek_f32_gemm(const float *a, int m, int k, int lda, const float *packed, const float *bias, int n,
                 float *out, int ldc) {
#if EK_X86
    if (ek_has(EK_AVX512)) { f32_gemm_avx512(a, m, k, lda, packed, bias, n, out, ldc); return; }
#endif
    ek_f32_gemm_portable(a, m, k, lda, packed, bias, n, out, ldc);
}
