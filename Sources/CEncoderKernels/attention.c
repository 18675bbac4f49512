/* Fused attention for one sequence: scores, relative bias, masked softmax and the weighted
 * sum of values, per head, with no BLAS call and no n × n matrix per head in memory. */
#include "internal.h"
#include <math.h>
#include <string.h>

static int round16(int n) { return (n + 15) & ~15; }

size_t ek_attention_scratch(int n, int d) {
    /* K transposed (d × n16) and 4 rows of probabilities (4 × n16). */
    return (size_t)round16(n) * (size_t)(d + 4);
}

void ek_attention_portable(const float *qkv, int ld, int n, int heads, int d, float scale,
                           const float *bias, int bias_stride, float *ctx, int ldc, float *scratch) {
    const int H = heads * d;
    float *p = scratch;
    for (int h = 0; h < heads; h++) {
        const float *qh = qkv + h * d, *kh = qkv + H + h * d, *vh = qkv + 2 * H + h * d;
        const float *bh = bias ? bias + (size_t)h * bias_stride : NULL;
        for (int i = 0; i < n; i++) {
            const float *q = qh + (size_t)i * ld;
            float m = -INFINITY;
            for (int j = 0; j < n; j++) {
                const float *k = kh + (size_t)j * ld;
                float s = 0;
                for (int c = 0; c < d; c++) s += q[c] * k[c];
                s *= scale;
                if (bh) s += bh[j - i];
                p[j] = s;
                if (s > m) m = s;
            }
            float sum = 0;
            for (int j = 0; j < n; j++) { p[j] = expf(p[j] - m); sum += p[j]; }
            const float inv = 1.0f / sum;
            float *out = ctx + (size_t)i * ldc + h * d;
            for (int c = 0; c < d; c++) out[c] = 0;
            for (int j = 0; j < n; j++) {
                const float *v = vh + (size_t)j * ld;
                for (int c = 0; c < d; c++) out[c] += p[j] * v[c];
            }
            for (int c = 0; c < d; c++) out[c] *= inv;
        }
    }
}

#if EK_X86
/* e^x on 16 lanes: Cephes' expf (range reduction by ln 2 in two parts, degree-5 polynomial),
 * within about 1 ulp of expf on [-87, 88]; 2^n applied with vscalefps. */
EK_AVX512_TARGET static inline __m512 exp16(__m512 x) {
    x = _mm512_max_ps(x, _mm512_set1_ps(-87.33654f));
    x = _mm512_min_ps(x, _mm512_set1_ps(88.37626f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 y = _mm512_set1_ps(1.9875691500e-4f);
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.3981999507e-3f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(8.3334519073e-3f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(4.1665795894e-2f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.6666665459e-1f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(5.0000001201e-1f));
    y = _mm512_fmadd_ps(y, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(y, n);
}

/* Rows i0 ..< i0 + R (R ≤ 4) of one head: scores into p (R rows of n16), softmax, context. */
EK_AVX512_TARGET static inline void attention_rows(int R, const float *qh, const float *kt, const float *vh,
                                                   int ld, int n, int n16, int d, float scale, const float *bh,
                                                   int i0, float *p, float *out, int ldc) {
    const __m512 vscale = _mm512_set1_ps(scale);
    __m512 vmax[4];
    for (int r = 0; r < 4; r++) vmax[r] = _mm512_set1_ps(-INFINITY);
    for (int jb = 0; jb < n16; jb += 16) {
        __m512 acc[4];
        for (int r = 0; r < 4; r++) acc[r] = _mm512_setzero_ps();
        for (int c = 0; c < d; c++) {
            const __m512 kv = _mm512_load_ps(kt + (size_t)c * n16 + jb);
            for (int r = 0; r < R; r++)
                acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(qh[(size_t)(i0 + r) * ld + c]), kv, acc[r]);
        }
        const int valid = n - jb < 16 ? n - jb : 16;
        const __mmask16 mask = (__mmask16)((1u << valid) - 1u);
        for (int r = 0; r < R; r++) {
            __m512 s = _mm512_mul_ps(acc[r], vscale);
            if (bh) s = _mm512_add_ps(s, _mm512_maskz_loadu_ps(mask, bh + jb - (i0 + r)));
            s = _mm512_mask_blend_ps(mask, _mm512_set1_ps(-INFINITY), s);
            _mm512_store_ps(p + (size_t)r * n16 + jb, s);
            vmax[r] = _mm512_max_ps(vmax[r], s);
        }
    }
    float inv[4];
    for (int r = 0; r < R; r++) {
        const __m512 m = _mm512_set1_ps(_mm512_reduce_max_ps(vmax[r]));
        __m512 sum = _mm512_setzero_ps();
        float *row = p + (size_t)r * n16;
        for (int jb = 0; jb < n16; jb += 16) {
            const int valid = n - jb < 16 ? n - jb : 16;
            const __mmask16 mask = (__mmask16)((1u << valid) - 1u);
            const __m512 e = _mm512_maskz_mov_ps(mask, exp16(_mm512_sub_ps(_mm512_load_ps(row + jb), m)));
            _mm512_store_ps(row + jb, e);
            sum = _mm512_add_ps(sum, e);
        }
        inv[r] = 1.0f / _mm512_reduce_add_ps(sum);
    }
    /* Context: up to 4 blocks of 16 output columns at a time. */
    for (int cb = 0; cb < d; cb += 64) {
        const int blocks = (d - cb) / 16 < 4 ? (d - cb) / 16 : 4;
        __m512 acc[4][4];
        for (int r = 0; r < 4; r++)
            for (int b = 0; b < 4; b++) acc[r][b] = _mm512_setzero_ps();
        for (int j = 0; j < n; j++) {
            const float *v = vh + (size_t)j * ld + cb;
            __m512 vv[4];
            for (int b = 0; b < blocks; b++) vv[b] = _mm512_loadu_ps(v + 16 * b);
            for (int r = 0; r < R; r++) {
                const __m512 pj = _mm512_set1_ps(p[(size_t)r * n16 + j]);
                for (int b = 0; b < blocks; b++) acc[r][b] = _mm512_fmadd_ps(pj, vv[b], acc[r][b]);
            }
        }
        for (int r = 0; r < R; r++) {
            const __m512 s = _mm512_set1_ps(inv[r]);
            for (int b = 0; b < blocks; b++)
                _mm512_storeu_ps(out + (size_t)(i0 + r) * ldc + cb + 16 * b, _mm512_mul_ps(acc[r][b], s));
        }
    }
}

EK_AVX512_TARGET static void attention_avx512(const float *qkv, int ld, int n, int heads, int d, float scale,
                                              const float *bias, int bias_stride, float *ctx, int ldc, float *scratch) {
    const int H = heads * d, n16 = round16(n);
    /* 64-byte aligned views into scratch (callers' buffers are 16-byte aligned at least). */
    float *kt = scratch, *p = scratch + (size_t)d * n16;
    for (int h = 0; h < heads; h++) {
        const float *qh = qkv + h * d, *kh = qkv + H + h * d, *vh = qkv + 2 * H + h * d;
        const float *bh = bias ? bias + (size_t)h * bias_stride : NULL;
        for (int c = 0; c < d; c++) {
            float *row = kt + (size_t)c * n16;
            for (int j = 0; j < n; j++) row[j] = kh[(size_t)j * ld + c];
            for (int j = n; j < n16; j++) row[j] = 0;
        }
        float *out = ctx + h * d;
        int i0 = 0;
        for (; i0 + 4 <= n; i0 += 4) attention_rows(4, qh, kt, vh, ld, n, n16, d, scale, bh, i0, p, out, ldc);
        switch (n - i0) {
        case 3: attention_rows(3, qh, kt, vh, ld, n, n16, d, scale, bh, i0, p, out, ldc); break;
        case 2: attention_rows(2, qh, kt, vh, ld, n, n16, d, scale, bh, i0, p, out, ldc); break;
        case 1: attention_rows(1, qh, kt, vh, ld, n, n16, d, scale, bh, i0, p, out, ldc); break;
        default: break;
        }
    }
}
#endif

void ek_attention(const float *qkv, int ld, int n, int heads, int d, float scale,
                  const float *bias, int bias_stride, float *ctx, int ldc, float *scratch) {
#if EK_X86
    /* The AVX-512 body uses aligned loads on scratch: needs 64-byte alignment, d % 16 == 0. */
    if (d % 16 == 0 && ((uintptr_t)scratch & 63) == 0 && ek_has(EK_AVX512)) {
        attention_avx512(qkv, ld, n, heads, d, scale, bias, bias_stride, ctx, ldc, scratch);
        return;
    }
#endif
    ek_attention_portable(qkv, ld, n, heads, d, scale, bias, bias_stride, ctx, ldc, scratch);
}
