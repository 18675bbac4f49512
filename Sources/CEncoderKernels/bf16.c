/* bfloat16 linear layers (`--precision bf16`): weights rounded to bf16 once, activations per
 * call, products of bf16 pairs summed in float32 (AVX-512 BF16's vdpbf16ps).
 *
 * Packed weights: output channels in blocks of 16; block b holds kp / 2 groups of 32 values,
 * group g = 16 channels × 2 consecutive k (channel-major within the group), so one 64-byte
 * load is one vdpbf16ps operand for 16 outputs and 2 inputs. Channels past n are zero.
 *
 * Rounding (both bodies, bit for bit): round to nearest even, a denormal input becomes a
 * zero of its sign, NaN stays a quiet NaN, as vcvtneps2bf16 does. A product of two bf16
 * values is exact in float32; only the sums round, so the bodies may differ in the last bits
 * of a sum (vdpbf16ps also flushes denormal sums, which the portable body does not). */
#include "internal.h"
#include <string.h>

int ek_bf16_padded_k(int k) { return (k + 1) & ~1; }

size_t ek_bf16_packed_values(int n, int k) {
    return (size_t)((n + 15) / 16) * 16 * (size_t)ek_bf16_padded_k(k);
}

uint16_t ek_bf16_round(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    if ((u & 0x7f800000u) == 0) return (uint16_t)((u >> 16) & 0x8000u);       /* zero or denormal */
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x0040u); /* NaN, quieted */
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

static inline float widen(uint16_t h) {
    const uint32_t u = (uint32_t)h << 16;
    float x;
    memcpy(&x, &u, 4);
    return x;
}

void ek_bf16_pack_weights(const float *w, int n, int k, int ldw, uint16_t *packed) {
    const int kp = ek_bf16_padded_k(k);
    memset(packed, 0, ek_bf16_packed_values(n, k) * sizeof(uint16_t));
    for (int c = 0; c < n; c++) {
        const float *row = w + (size_t)c * ldw;
        uint16_t *block = packed + (size_t)(c / 16) * 16 * kp;
        for (int i = 0; i < k; i++) block[(size_t)(i / 2) * 32 + (c % 16) * 2 + i % 2] = ek_bf16_round(row[i]);
    }
}

void ek_bf16_round_rows_portable(const float *a, int m, int k, int lda, uint16_t *q) {
    const int kp = ek_bf16_padded_k(k);
    for (int r = 0; r < m; r++) {
        uint16_t *out = q + (size_t)r * kp;
        for (int i = 0; i < k; i++) out[i] = ek_bf16_round(a[(size_t)r * lda + i]);
        for (int i = k; i < kp; i++) out[i] = 0;
    }
}

/* Per output, pairs in input order, the odd input's product added before the even one's. */
void ek_bf16_gemm_portable(const uint16_t *q, int m, int k, const uint16_t *packed, const float *bias, int n,
                           float *out, int ldc) {
    const int kp = ek_bf16_padded_k(k);
    for (int r = 0; r < m; r++) {
        const uint16_t *row = q + (size_t)r * kp;
        for (int c = 0; c < n; c++) {
            const uint16_t *block = packed + (size_t)(c / 16) * 16 * kp + (c % 16) * 2;
            float sum = 0;
            for (int g = 0; g < kp; g += 2) {
                const uint16_t *pair = block + (size_t)(g / 2) * 32;
                sum += widen(row[g + 1]) * widen(pair[1]);
                sum += widen(row[g]) * widen(pair[0]);
            }
            out[(size_t)r * ldc + c] = sum + (bias ? bias[c] : 0.0f);
        }
    }
}

#if EK_X86
EK_BF16_TARGET static void round_rows_avx512(const float *a, int m, int k, int lda, uint16_t *q) {
    const int kp = ek_bf16_padded_k(k);
    for (int r = 0; r < m; r++) {
        const float *row = a + (size_t)r * lda;
        uint16_t *out = q + (size_t)r * kp;
        int i = 0;
        for (; i + 16 <= k; i += 16) {
            const __m256bh h = _mm512_cvtneps_pbh(_mm512_loadu_ps(row + i));
            _mm256_storeu_si256((__m256i *)(out + i), (__m256i)h);
        }
        for (; i < k; i++) out[i] = ek_bf16_round(row[i]);
        for (; i < kp; i++) out[i] = 0;
    }
}

/* R rows × B blocks of 16 outputs (R ≤ 6, B ≤ 4), constants after inlining: 24 float32
 * accumulators, 4 weight vectors and one broadcast pair in the 32 registers. */
EK_BF16_TARGET static inline __attribute__((always_inline))
void bf16_tile(int R, int B, const uint16_t *q, int kp, const uint16_t *blocks, size_t block_values,
               const float *bias, int n, int c0, float *out, int ldc) {
    __m512 acc[6][4], zero = _mm512_setzero_ps();
    EK_OPAQUE(zero);
    for (int r = 0; r < R; r++)
        for (int b = 0; b < B; b++) acc[r][b] = zero;
    for (int g = 0; g < kp; g += 2) {
        __m512bh wv[4];
        for (int b = 0; b < B; b++) wv[b] = (__m512bh)_mm512_loadu_si512((const void *)(blocks + b * block_values + (size_t)g * 16));
        for (int r = 0; r < R; r++) {
            int32_t two;
            memcpy(&two, q + (size_t)r * kp + g, 4);
            const __m512bh av = (__m512bh)_mm512_set1_epi32(two);
            for (int b = 0; b < B; b++) acc[r][b] = _mm512_dpbf16_ps(acc[r][b], av, wv[b]);
        }
    }
    for (int b = 0; b < B; b++) {
        const int c = c0 + 16 * b, valid = n - c < 16 ? n - c : 16;
        const __mmask16 mask = (__mmask16)((1u << valid) - 1u);
        const __m512 bv = bias ? _mm512_maskz_loadu_ps(mask, bias + c) : _mm512_setzero_ps();
        for (int r = 0; r < R; r++) _mm512_mask_storeu_ps(out + (size_t)r * ldc + c, mask, _mm512_add_ps(acc[r][b], bv));
    }
}

#define EK_TILE(R, B) bf16_tile(R, B, q + (size_t)r0 * kp, kp, packed + (size_t)b0 * block_values, block_values, \
                                bias, n, b0 * 16, out + (size_t)r0 * ldc, ldc)

EK_BF16_TARGET static void gemm_bf16(const uint16_t *q, int m, int k, const uint16_t *packed, const float *bias, int n,
                                     float *out, int ldc) {
    const int kp = ek_bf16_padded_k(k), nblocks = (n + 15) / 16;
    const size_t block_values = (size_t)16 * kp;
    EK_FOR_EACH_TILE(m, nblocks, EK_TILE)
}
#undef EK_TILE
#endif

void ek_bf16_round_rows(const float *a, int m, int k, int lda, uint16_t *q) {
#if EK_X86
    if (ek_has(EK_AVX512 | EK_AVX512_BF16)) { round_rows_avx512(a, m, k, lda, q); return; }
#endif
    ek_bf16_round_rows_portable(a, m, k, lda, q);
}

void ek_bf16_gemm(const uint16_t *q, int m, int k, const uint16_t *packed, const float *bias, int n, float *out, int ldc) {
#if EK_X86
    if (ek_has(EK_AVX512 | EK_AVX512_BF16)) { gemm_bf16(q, m, k, packed, bias, n, out, ldc); return; }
#endif
    ek_bf16_gemm_portable(q, m, k, packed, bias, n, out, ldc);
}
