/* Index-order dot products of one query with rows stored in panels of 64 (see the header):
 * 64 independent sums side by side, each the plain loop's multiply-then-add sequence, over a
 * panel read front to back. */
#include "internal.h"
#include <string.h>

size_t ek_panel_floats(int count, int n) { return (size_t)((count + 63) / 64) * 64 * (size_t)n; }

void ek_panel_pack(const float *rows, int count, int n, float *panels) {
    memset(panels, 0, ek_panel_floats(count, n) * sizeof(float));
    for (int r = 0; r < count; r++) {
        float *panel = panels + (size_t)(r / 64) * 64 * n + r % 64;
        for (int i = 0; i < n; i++) panel[(size_t)i * 64] = rows[(size_t)r * n + i];
    }
}

/* Keeps the compiler from fusing a multiply and the following add into one FMA. */
#pragma STDC FP_CONTRACT OFF

void ek_panel_dots_portable(const float *query, const float *panels, int count, int n, float *out) {
    float s[64];
    for (int r0 = 0; r0 < count; r0 += 64) {
        const float *panel = panels + (size_t)(r0 / 64) * 64 * n;
        for (int l = 0; l < 64; l++) s[l] = 0;
        for (int i = 0; i < n; i++) {
            const float q = query[i];
            for (int l = 0; l < 64; l++) {
                const float product = panel[(size_t)i * 64 + l] * q;
                s[l] = s[l] + product;
            }
        }
        const int valid = count - r0 < 64 ? count - r0 : 64;
        for (int l = 0; l < valid; l++) out[r0 + l] = s[l];
    }
}

#if EK_X86
EK_AVX512_TARGET static void panel_dots_avx512(const float *query, const float *panels, int count, int n, float *out) {
    for (int r0 = 0; r0 < count; r0 += 64) {
        const float *panel = panels + (size_t)(r0 / 64) * 64 * n;
        __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps(), s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
        for (int i = 0; i < n; i++) {
            const __m512 q = _mm512_set1_ps(query[i]);
            const float *p = panel + (size_t)i * 64;
            s0 = _mm512_add_ps(s0, _mm512_mul_ps(_mm512_loadu_ps(p), q));
            s1 = _mm512_add_ps(s1, _mm512_mul_ps(_mm512_loadu_ps(p + 16), q));
            s2 = _mm512_add_ps(s2, _mm512_mul_ps(_mm512_loadu_ps(p + 32), q));
            s3 = _mm512_add_ps(s3, _mm512_mul_ps(_mm512_loadu_ps(p + 48), q));
        }
        const int valid = count - r0 < 64 ? count - r0 : 64;
        if (valid == 64) {
            _mm512_storeu_ps(out + r0, s0); _mm512_storeu_ps(out + r0 + 16, s1);
            _mm512_storeu_ps(out + r0 + 32, s2); _mm512_storeu_ps(out + r0 + 48, s3);
        } else {
            float s[64];
            _mm512_storeu_ps(s, s0); _mm512_storeu_ps(s + 16, s1); _mm512_storeu_ps(s + 32, s2); _mm512_storeu_ps(s + 48, s3);
            memcpy(out + r0, s, (size_t)valid * sizeof(float));
        }
    }
}
#endif

void ek_panel_dots(const float *query, const float *panels, int count, int n, float *out) {
#if EK_X86
    if (ek_has(EK_AVX512)) { panel_dots_avx512(query, panels, count, n, out); return; }
#endif
    ek_panel_dots_portable(query, panels, count, n, out);
}
