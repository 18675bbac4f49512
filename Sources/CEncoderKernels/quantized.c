/* int8 dynamic quantisation: per-channel weights packed for vpdpbusd, per-row uint8
 * activations, and the GEMM with its dequantising epilogue.
 *
 * Packed weights: output channels in blocks of 16; block b holds kp / 4 groups of 64 bytes,
 * group g = 16 channels × 4 consecutive k (channel-major within the group), so one 64-byte
 * load is one vpdpbusd operand for 16 outputs and 4 inputs. Channels past n are zero. */
#include "internal.h"
#include <math.h>
#include <string.h>

int ek_q8_padded_k(int k) { return (k + 3) & ~3; }

size_t ek_q8_packed_bytes(int n, int k) {
    return (size_t)((n + 15) / 16) * 16 * (size_t)ek_q8_padded_k(k);
}

static inline int clampi(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

void ek_q8_pack_weights(const float *w, int n, int k, int ldw, int8_t *packed, float *scales, int32_t *sums) {
    const int kp = ek_q8_padded_k(k);
    memset(packed, 0, ek_q8_packed_bytes(n, k));
    for (int c = 0; c < n; c++) {
        const float *row = w + (size_t)c * ldw;
        float m = 0;
        for (int i = 0; i < k; i++) { const float a = fabsf(row[i]); if (a > m) m = a; }
        const float inv = m > 0 ? 127.0f / m : 0.0f;
        scales[c] = m > 0 ? m / 127.0f : 0.0f;
        int8_t *block = packed + (size_t)(c / 16) * 16 * kp;
        int32_t sum = 0;
        for (int i = 0; i < k; i++) {
            const int q = clampi((int)lrintf(row[i] * inv), -127, 127);
            block[(size_t)(i / 4) * 64 + (c % 16) * 4 + i % 4] = (int8_t)q;
            sum += q;
        }
        sums[c] = sum;
    }
}

/* One row's range (including 0), scale, reciprocal and zero point; both bodies share it. */
static inline void row_params(float lo, float hi, float *scale, float *inv, int32_t *zero) {
    if (lo > 0) lo = 0;
    if (hi < 0) hi = 0;
    const float s = (hi - lo) / 255.0f;
    if (!(s > 0)) { *scale = 0; *inv = 0; *zero = 0; return; }
    *scale = s;
    *inv = 1.0f / s;
    *zero = clampi((int)lrintf(-lo * *inv), 0, 255);
}

void ek_q8_quantize_rows_portable(const float *a, int m, int k, int lda, uint8_t *q, float *scales, int32_t *zeros) {
    const int kp = ek_q8_padded_k(k);
    for (int r = 0; r < m; r++) {
        const float *row = a + (size_t)r * lda;
        float lo = 0, hi = 0;
        for (int i = 0; i < k; i++) { if (row[i] < lo) lo = row[i]; if (row[i] > hi) hi = row[i]; }
        float inv;
        row_params(lo, hi, &scales[r], &inv, &zeros[r]);
        uint8_t *out = q + (size_t)r * kp;
        for (int i = 0; i < k; i++) out[i] = (uint8_t)clampi((int)lrintf(row[i] * inv) + zeros[r], 0, 255);
        for (int i = k; i < kp; i++) out[i] = (uint8_t)zeros[r];
    }
}

void ek_q8_gemm_portable(const uint8_t *q, const float *a_scales, const int32_t *a_zeros, int m, int k,
                         const int8_t *packed, const float *w_scales, const int32_t *w_sums, const float *bias, int n,
                         float *out, int ldc) {
    const int kp = ek_q8_padded_k(k);
    for (int r = 0; r < m; r++) {
        const uint8_t *row = q + (size_t)r * kp;
        for (int c = 0; c < n; c++) {
            const int8_t *block = packed + (size_t)(c / 16) * 16 * kp + (c % 16) * 4;
            int32_t acc = 0;
            for (int i = 0; i < kp; i++) acc += (int32_t)row[i] * (int32_t)block[(size_t)(i / 4) * 64 + i % 4];
            const float f = (float)(acc - a_zeros[r] * w_sums[c]);
            out[(size_t)r * ldc + c] = fmaf(f, a_scales[r] * w_scales[c], bias ? bias[c] : 0.0f);
        }
    }
}

#if EK_X86
EK_AVX512_TARGET static void quantize_rows_avx512(const float *a, int m, int k, int lda, uint8_t *q, float *scales, int32_t *zeros) {
    const int kp = ek_q8_padded_k(k);
    for (int r = 0; r < m; r++) {
        const float *row = a + (size_t)r * lda;
        __m512 vlo = _mm512_setzero_ps(), vhi = _mm512_setzero_ps();
        int i = 0;
        for (; i + 16 <= k; i += 16) {
            const __m512 v = _mm512_loadu_ps(row + i);
            vlo = _mm512_min_ps(vlo, v);
            vhi = _mm512_max_ps(vhi, v);
        }
        float lo = _mm512_reduce_min_ps(vlo), hi = _mm512_reduce_max_ps(vhi);
        for (int t = i; t < k; t++) { if (row[t] < lo) lo = row[t]; if (row[t] > hi) hi = row[t]; }
        float inv;
        row_params(lo, hi, &scales[r], &inv, &zeros[r]);
        uint8_t *out = q + (size_t)r * kp;
        const __m512 vinv = _mm512_set1_ps(inv);
        const __m512i vz = _mm512_set1_epi32(zeros[r]), v0 = _mm512_setzero_si512(), v255 = _mm512_set1_epi32(255);
        for (i = 0; i + 16 <= k; i += 16) {
            __m512i t = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(_mm512_loadu_ps(row + i), vinv)), vz);
            t = _mm512_min_epi32(_mm512_max_epi32(t, v0), v255);
            _mm_storeu_si128((__m128i *)(out + i), _mm512_cvtepi32_epi8(t));
        }
        for (; i < k; i++) out[i] = (uint8_t)clampi((int)lrintf(row[i] * inv) + zeros[r], 0, 255);
        for (; i < kp; i++) out[i] = (uint8_t)zeros[r];
    }
}

/* R rows × B blocks of 16 outputs (R ≤ 6, B ≤ 4), constants after inlining. */
EK_VNNI_TARGET static inline __attribute__((always_inline))
void gemm_tile(int R, int B, const uint8_t *q, int kp, const int8_t *blocks, size_t block_bytes,
               const float *a_scales, const int32_t *a_zeros, const float *w_scales, const int32_t *w_sums,
               const float *bias, int n, int c0, float *out, int ldc) {
    __m512i acc[6][4], zero = _mm512_setzero_si512();
    EK_OPAQUE(zero);
    for (int r = 0; r < R; r++)
        for (int b = 0; b < B; b++) acc[r][b] = zero;
    for (int g = 0; g < kp; g += 4) {
        __m512i wv[4];
        for (int b = 0; b < B; b++) wv[b] = _mm512_loadu_si512((const void *)(blocks + b * block_bytes + (size_t)g * 16));
        for (int r = 0; r < R; r++) {
            int32_t four;
            memcpy(&four, q + (size_t)r * kp + g, 4);
            const __m512i av = _mm512_set1_epi32(four);
            for (int b = 0; b < B; b++) acc[r][b] = _mm512_dpbusd_epi32(acc[r][b], av, wv[b]);
        }
    }
    for (int b = 0; b < B; b++) {
        const int c = c0 + 16 * b, valid = n - c < 16 ? n - c : 16;
        const __mmask16 mask = (__mmask16)((1u << valid) - 1u);
        const __m512 ws = _mm512_maskz_loadu_ps(mask, w_scales + c);
        const __m512i sums = _mm512_maskz_loadu_epi32(mask, w_sums + c);
        const __m512 bv = bias ? _mm512_maskz_loadu_ps(mask, bias + c) : _mm512_setzero_ps();
        for (int r = 0; r < R; r++) {
            const __m512i t = _mm512_sub_epi32(acc[r][b], _mm512_mullo_epi32(_mm512_set1_epi32(a_zeros[r]), sums));
            const __m512 f = _mm512_cvtepi32_ps(t);
            const __m512 s = _mm512_mul_ps(_mm512_set1_ps(a_scales[r]), ws);
            _mm512_mask_storeu_ps(out + (size_t)r * ldc + c, mask, _mm512_fmadd_ps(f, s, bv));
        }
    }
}

#define EK_TILE(R, B) gemm_tile(R, B, q + (size_t)r0 * kp, kp, packed + (size_t)b0 * block_bytes, block_bytes, a_scales + r0, a_zeros + r0, \
                                w_scales, w_sums, bias, n, b0 * 16, out + (size_t)r0 * ldc, ldc)

EK_VNNI_TARGET static void gemm_vnni(const uint8_t *q, const float *a_scales, const int32_t *a_zeros, int m, int k,
                                     const int8_t *packed, const float *w_scales, const int32_t *w_sums,
                                     const float *bias, int n, float *out, int ldc) {
    const int kp = ek_q8_padded_k(k), nblocks = (n + 15) / 16;
    const size_t block_bytes = (size_t)16 * kp;
    EK_FOR_EACH_TILE(m, nblocks, EK_TILE)
}
#undef EK_TILE
#endif

void ek_q8_quantize_rows(const float *a, int m, int k, int lda, uint8_t *q, float *scales, int32_t *zeros) {
#if EK_X86
    if (ek_has(EK_AVX512)) { quantize_rows_avx512(a, m, k, lda, q, scales, zeros); return; }
#endif
    ek_q8_quantize_rows_portable(a, m, k, lda, q, scales, zeros);
}

void ek_q8_gemm(const uint8_t *q, const float *a_scales, const int32_t *a_zeros, int m, int k,
                const int8_t *packed, const float *w_scales, const int32_t *w_sums, const float *bias, int n,
                float *out, int ldc) {
#if EK_X86
    if (ek_has(EK_AVX512 | EK_AVX512_VNNI)) {
        gemm_vnni(q, a_scales, a_zeros, m, k, packed, w_scales, w_sums, bias, n, out, ldc);
        return;
    }
#endif
    ek_q8_gemm_portable(q, a_scales, a_zeros, m, k, packed, w_scales, w_sums, bias, n, out, ldc);
}
