/* Row kernels of the transformer layer: residual + LayerNorm, GELU. */
#include "internal.h"
#include <math.h>

void ek_add_layer_norm_portable(float *x, const float *residual, int rows, int w,
                                const float *gamma, const float *beta, float eps) {
    for (int r = 0; r < rows; r++) {
        float *row = x + (size_t)r * w;
        if (residual) {
            const float *res = residual + (size_t)r * w;
            for (int i = 0; i < w; i++) row[i] += res[i];
        }
        float sum = 0;
        for (int i = 0; i < w; i++) sum += row[i];
        const float mean = sum / (float)w;
        float sq = 0;
        for (int i = 0; i < w; i++) { const float dv = row[i] - mean; sq += dv * dv; }
        const float inv = 1.0f / sqrtf(sq / (float)w + eps);
        for (int i = 0; i < w; i++) row[i] = (row[i] - mean) * inv * gamma[i] + beta[i];
    }
}

static inline float erf_approx(float x) {
    x = x < -4.0f ? -4.0f : (x > 4.0f ? 4.0f : x);
    const float x2 = x * x;
    float p = x2 * -2.72614225801306e-10f + 2.77068142495902e-08f;
    p = x2 * p + -2.10102402082508e-06f;
    p = x2 * p + -5.69250639462346e-05f;
    p = x2 * p + -7.34990630326855e-04f;
    p = x2 * p + -2.95459980854025e-03f;
    p = x2 * p + -1.60960333262415e-02f;
    p = x * p;
    float q = x2 * -1.45660718464996e-05f + -2.13374055278905e-04f;
    q = x2 * q + -1.68282697438203e-03f;
    q = x2 * q + -7.37332916720468e-03f;
    q = x2 * q + -1.42647390514189e-02f;
    return p / q;
}

void ek_gelu_portable(float *x, size_t count) {
    for (size_t i = 0; i < count; i++) x[i] = 0.5f * x[i] * (1.0f + erf_approx(x[i] * 0.70710678118654752440f));
}

#if EK_X86
EK_AVX512_TARGET static void layer_norm_avx512(float *x, const float *residual, int rows, int w,
                                               const float *gamma, const float *beta, float eps) {
    for (int r = 0; r < rows; r++) {
        float *row = x + (size_t)r * w;
        __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
        int i = 0;
        for (; i < w; i += 16) {
            __m512 v = _mm512_loadu_ps(row + i);
            if (residual) {
                v = _mm512_add_ps(v, _mm512_loadu_ps(residual + (size_t)r * w + i));
                _mm512_storeu_ps(row + i, v);
            }
            if ((i / 16) & 1) s1 = _mm512_add_ps(s1, v); else s0 = _mm512_add_ps(s0, v);
        }
        const float mean = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1)) / (float)w;
        const __m512 vm = _mm512_set1_ps(mean);
        __m512 q = _mm512_setzero_ps();
        for (i = 0; i < w; i += 16) {
            const __m512 dv = _mm512_sub_ps(_mm512_loadu_ps(row + i), vm);
            q = _mm512_fmadd_ps(dv, dv, q);
        }
        const float inv = 1.0f / sqrtf(_mm512_reduce_add_ps(q) / (float)w + eps);
        const __m512 vi = _mm512_set1_ps(inv);
        for (i = 0; i < w; i += 16) {
            const __m512 v = _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(row + i), vm), vi);
            _mm512_storeu_ps(row + i, _mm512_fmadd_ps(v, _mm512_loadu_ps(gamma + i), _mm512_loadu_ps(beta + i)));
        }
    }
}

EK_AVX512_TARGET static void gelu_avx512(float *x, size_t count) {
    size_t i = 0;
    const __m512 lo = _mm512_set1_ps(-4.0f), hi = _mm512_set1_ps(4.0f);
    for (; i + 16 <= count; i += 16) {
        const __m512 v = _mm512_loadu_ps(x + i);
        const __m512 z = _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(v, _mm512_set1_ps(0.70710678118654752440f)), lo), hi);
        const __m512 z2 = _mm512_mul_ps(z, z);
        __m512 p = _mm512_fmadd_ps(z2, _mm512_set1_ps(-2.72614225801306e-10f), _mm512_set1_ps(2.77068142495902e-08f));
        p = _mm512_fmadd_ps(z2, p, _mm512_set1_ps(-2.10102402082508e-06f));
        p = _mm512_fmadd_ps(z2, p, _mm512_set1_ps(-5.69250639462346e-05f));
        p = _mm512_fmadd_ps(z2, p, _mm512_set1_ps(-7.34990630326855e-04f));
        p = _mm512_fmadd_ps(z2, p, _mm512_set1_ps(-2.95459980854025e-03f));
        p = _mm512_fmadd_ps(z2, p, _mm512_set1_ps(-1.60960333262415e-02f));
        p = _mm512_mul_ps(z, p);
        __m512 q = _mm512_fmadd_ps(z2, _mm512_set1_ps(-1.45660718464996e-05f), _mm512_set1_ps(-2.13374055278905e-04f));
        q = _mm512_fmadd_ps(z2, q, _mm512_set1_ps(-1.68282697438203e-03f));
        q = _mm512_fmadd_ps(z2, q, _mm512_set1_ps(-7.37332916720468e-03f));
        q = _mm512_fmadd_ps(z2, q, _mm512_set1_ps(-1.42647390514189e-02f));
        const __m512 erf = _mm512_div_ps(p, q);
        const __m512 half = _mm512_mul_ps(_mm512_set1_ps(0.5f), v);
        _mm512_storeu_ps(x + i, _mm512_fmadd_ps(half, erf, half));
    }
    ek_gelu_portable(x + i, count - i);
}
#endif

void ek_add_layer_norm(float *x, const float *residual, int rows, int w,
                       const float *gamma, const float *beta, float eps) {
#if EK_X86
    if (w % 16 == 0 && ek_has(EK_AVX512)) { layer_norm_avx512(x, residual, rows, w, gamma, beta, eps); return; }
#endif
    ek_add_layer_norm_portable(x, residual, rows, w, gamma, beta, eps);
}

void ek_gelu(float *x, size_t count) {
#if EK_X86
    if (ek_has(EK_AVX512)) { gelu_avx512(x, count); return; }
#endif
    ek_gelu_portable(x, count);
}
