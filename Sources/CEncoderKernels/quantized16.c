/* int16 dynamic quantisation (`--precision int16`): 13-bit symmetric weights per output
 * channel and 13-bit symmetric activations per row, int16 × int16 products summed in int32
 * (AVX-512 VNNI's vpdpwssd), chunk by chunk so no sum can overflow.
 *
 * Packed weights: output channels in blocks of 16; block b holds kp / 2 groups of 64 bytes,
 * group g = 16 channels × 2 consecutive k (channel-major within the group), so one 64-byte
 * load is one vpdpwssd operand for 16 outputs and 2 inputs. Channels past n are zero.
 *
 * Overflow: |q| ≤ 4095 on both sides, so one vpdpwssd lane adds at most 2 · 4095² < 2²⁵ and
 * EK_Q16_CHUNK = 128 inputs (64 pairs) at most 2147483200 < 2³¹. Each chunk's int32 sum is
 * converted to float32 and added to the running float sum in chunk order (both bodies). */
#include "internal.h"
#include <math.h>
#include <string.h>

#define LEVELS 4095
#define CHUNK EK_Q16_CHUNK

int ek_q16_padded_k(int k) { return (k + 1) & ~1; }

size_t ek_q16_packed_values(int n, int k) {
    return (size_t)((n + 15) / 16) * 16 * (size_t)ek_q16_padded_k(k);
}

static inline int clampi(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

void ek_q16_pack_weights(const float *w, int n, int k, int ldw, int16_t *packed, float *scales) {
    const int kp = ek_q16_padded_k(k);
    memset(packed, 0, ek_q16_packed_values(n, k) * sizeof(int16_t));
    for (int c = 0; c < n; c++) {
        const float *row = w + (size_t)c * ldw;
        float m = 0;
        for (int i = 0; i < k; i++) { const float a = fabsf(row[i]); if (a > m) m = a; }
        const float inv = m > 0 ? (float)LEVELS / m : 0.0f;
        scales[c] = m > 0 ? m / (float)LEVELS : 0.0f;
        int16_t *block = packed + (size_t)(c / 16) * 16 * kp;
        for (int i = 0; i < k; i++)
            block[(size_t)(i / 2) * 32 + (c % 16) * 2 + i % 2] = (int16_t)clampi((int)lrintf(row[i] * inv), -LEVELS, LEVELS);
    }
}

/* One row's scale (max|x| / 4095) and its reciprocal; both bodies share it. */
static inline void row_scale(float m, float *scale, float *inv) {
    if (!(m > 0)) { *scale = 0; *inv = 0; return; }
    *scale = m / (float)LEVELS;
    *inv = (float)LEVELS / m;
}

void ek_q16_quantize_rows_portable(const float *a, int m, int k, int lda, int16_t *q, float *scales) {
    const int kp = ek_q16_padded_k(k);
    for (int r = 0; r < m; r++) {
        const float *row = a + (size_t)r * lda;
        float mx = 0;
        for (int i = 0; i < k; i++) { const float v = fabsf(row[i]); if (v > mx) mx = v; }
        float inv;
        row_scale(mx, &scales[r], &inv);
        int16_t *out = q + (size_t)r * kp;
        for (int i = 0; i < k; i++) out[i] = (int16_t)clampi((int)lrintf(row[i] * inv), -LEVELS, LEVELS);
        for (int i = k; i < kp; i++) out[i] = 0;
    }
}

void ek_q16_gemm_portable(const int16_t *q, const float *a_scales, int m, int k, const int16_t *packed,
                          const float *w_scales, const float *bias, int n, float *out, int ldc) {
    const int kp = ek_q16_padded_k(k);
    for (int r = 0; r < m; r++) {
        const int16_t *row = q + (size_t)r * kp;
        for (int c = 0; c < n; c++) {
            const int16_t *block = packed + (size_t)(c / 16) * 16 * kp + (c % 16) * 2;
            float sum = 0;
            for (int k0 = 0; k0 < kp; k0 += CHUNK) {
                const int k1 = k0 + CHUNK < kp ? k0 + CHUNK : kp;
                int32_t acc = 0;
                for (int i = k0; i < k1; i++) acc += (int32_t)row[i] * (int32_t)block[(size_t)(i / 2) * 32 + i % 2];
                sum += (float)acc;
            }
            out[(size_t)r * ldc + c] = fmaf(sum, a_scales[r] * w_scales[c], bias ? bias[c] : 0.0f);
        }
    }
}

#if EK_X86
EK_AVX512_TARGET static void quantize_rows_avx512(const float *a, int m, int k, int lda, int16_t *q, float *scales) {
    const int kp = ek_q16_padded_k(k);
    for (int r = 0; r < m; r++) {
        const float *row = a + (size_t)r * lda;
        __m512 vm = _mm512_setzero_ps();
        int i = 0;
        for (; i + 16 <= k; i += 16) vm = _mm512_max_ps(vm, _mm512_abs_ps(_mm512_loadu_ps(row + i)));
        float mx = _mm512_reduce_max_ps(vm);
        for (int t = i; t < k; t++) { const float v = fabsf(row[t]); if (v > mx) mx = v; }
        float inv;
        row_scale(mx, &scales[r], &inv);
        int16_t *out = q + (size_t)r * kp;
        const __m512 vinv = _mm512_set1_ps(inv);
        const __m512i lo = _mm512_set1_epi32(-LEVELS), hi = _mm512_set1_epi32(LEVELS);
        for (i = 0; i + 16 <= k; i += 16) {
            __m512i t = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_loadu_ps(row + i), vinv));
            t = _mm512_min_epi32(_mm512_max_epi32(t, lo), hi);
            _mm256_storeu_si256((__m256i *)(out + i), _mm512_cvtepi32_epi16(t));
        }
        for (; i < k; i++) out[i] = (int16_t)clampi((int)lrintf(row[i] * inv), -LEVELS, LEVELS);
        for (; i < kp; i++) out[i] = 0;
    }
}

/* R rows × B blocks of 16 outputs (R ≤ 6, B ≤ 4), constants after inlining. Each chunk's
 * int32 sums go into float accumulators kept in `out` (first chunk stores, later ones add). */
EK_VNNI_TARGET static inline __attribute__((always_inline))
void gemm_tile(int R, int B, const int16_t *q, int kp, const int16_t *blocks, size_t block_values,
               const float *a_scales, const float *w_scales, const float *bias, int n, int c0, float *out, int ldc) {
    __m512 sum[6][4], fzero = _mm512_setzero_ps();
    EK_OPAQUE(fzero);
    for (int r = 0; r < R; r++)
        for (int b = 0; b < B; b++) sum[r][b] = fzero;
    for (int k0 = 0; k0 < kp; k0 += CHUNK) {
        const int k1 = k0 + CHUNK < kp ? k0 + CHUNK : kp;
        __m512i acc[6][4], zero = _mm512_setzero_si512();
        EK_OPAQUE(zero);
        for (int r = 0; r < R; r++)
            for (int b = 0; b < B; b++) acc[r][b] = zero;
        for (int g = k0; g < k1; g += 2) {
            __m512i wv[4];
            for (int b = 0; b < B; b++) wv[b] = _mm512_loadu_si512((const void *)(blocks + b * block_values + (size_t)g * 16));
            for (int r = 0; r < R; r++) {
                int32_t two;
                memcpy(&two, q + (size_t)r * kp + g, 4);
                const __m512i av = _mm512_set1_epi32(two);
                for (int b = 0; b < B; b++) acc[r][b] = _mm512_dpwssd_epi32(acc[r][b], av, wv[b]);
            }
        }
        for (int r = 0; r < R; r++)
            for (int b = 0; b < B; b++) sum[r][b] = _mm512_add_ps(sum[r][b], _mm512_cvtepi32_ps(acc[r][b]));
    }
    for (int b = 0; b < B; b++) {
        const int c = c0 + 16 * b, valid = n - c < 16 ? n - c : 16;
        const __mmask16 mask = (__mmask16)((1u << valid) - 1u);
        const __m512 ws = _mm512_maskz_loadu_ps(mask, w_scales + c);
        const __m512 bv = bias ? _mm512_maskz_loadu_ps(mask, bias + c) : _mm512_setzero_ps();
        for (int r = 0; r < R; r++) {
            const __m512 s = _mm512_mul_ps(_mm512_set1_ps(a_scales[r]), ws);
            _mm512_mask_storeu_ps(out + (size_t)r * ldc + c, mask, _mm512_fmadd_ps(sum[r][b], s, bv));
        }
    }
}

#define EK_TILE(R, B) gemm_tile(R, B, q + (size_t)r0 * kp, kp, packed + (size_t)b0 * block_values, block_values, a_scales + r0, \
                                w_scales, bias, n, b0 * 16, out + (size_t)r0 * ldc, ldc)

EK_VNNI_TARGET static void gemm_vnni(const int16_t *q, const float *a_scales, int m, int k, const int16_t *packed,
                                     const float *w_scales, const float *bias, int n, float *out, int ldc) {
    const int kp = ek_q16_padded_k(k), nblocks = (n + 15) / 16;
    const size_t block_values = (size_t)16 * kp;
    EK_FOR_EACH_TILE(m, nblocks, EK_TILE)
}
#undef EK_TILE
#endif

void ek_q16_quantize_rows(const float *a, int m, int k, int lda, int16_t *q, float *scales) {
#if EK_X86
    if (ek_has(EK_AVX512)) { quantize_rows_avx512(a, m, k, lda, q, scales); return; }
#endif
    ek_q16_quantize_rows_portable(a, m, k, lda, q, scales);
}

void ek_q16_gemm(const int16_t *q, const float *a_scales, int m, int k, const int16_t *packed,
                 const float *w_scales, const float *bias, int n, float *out, int ldc) {
#if EK_X86
    if (ek_has(EK_AVX512 | EK_AVX512_VNNI)) { gemm_vnni(q, a_scales, m, k, packed, w_scales, bias, n, out, ldc); return; }
#endif
    ek_q16_gemm_portable(q, a_scales, m, k, packed, w_scales, bias, n, out, ldc);
}
