/* The encoder's own C kernels: fused attention, row kernels (LayerNorm, GELU) and the int8
 * GEMM of `--precision int8`. Each entry point runs an AVX-512 body when the CPU has one
 * (__builtin_cpu_supports, checked at run time) and otherwise a portable scalar body that
 * computes the same thing; the `_portable` forms always run the scalar body (tests compare
 * the two). ExemplarKernels is the only caller. Matrices are float32 row-major with explicit
 * row strides (in elements). No global state: every function may run on several threads at
 * once on disjoint outputs. */
#ifndef EXEMPLAR_ENCODER_KERNELS_H
#define EXEMPLAR_ENCODER_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* Bits of ek_cpu_features(). */
#define EK_AVX512 1      /* avx512f, avx512bw, avx512vl and avx512dq */
#define EK_AVX512_VNNI 2 /* avx512vnni (u8 x s8 dot products) */
#define EK_AVX2 4        /* avx2 and fma (the index scan's body on CPUs without AVX-512) */
#define EK_AVX512_BF16 8 /* avx512bf16 (bf16 pair dot products into float32) */

/* What this CPU offers the kernels (EK_* bits). */
int ek_cpu_features(void);

/* Whether this target was compiled with optimisation (SwiftPM's debug configuration compiles C
 * at -O0, where the intrinsics bodies are many times slower than OpenBLAS). */
int ek_optimized(void);

/* Softmax attention of one sequence of n tokens, every head: for head h and token i,
 *   ctx[i·ldc + h·d + c] = Σ_j softmax_j(scale · q_i·k_j + bias_h(j − i)) · v_j[c]
 * with q_i = qkv + i·ld + h·d, k_j = qkv + j·ld + H + h·d, v_j = qkv + j·ld + 2H + h·d, H = heads·d.
 * bias (may be NULL) points at head 0's entry for key − query = 0 in a table of relative
 * biases; head h's entry for key − query = r is bias[h·bias_stride + r].
 * scratch holds ek_attention_scratch(n, d) floats. */
size_t ek_attention_scratch(int n, int d);
void ek_attention(const float *qkv, int ld, int n, int heads, int d, float scale,
                  const float *bias, int bias_stride, float *ctx, int ldc, float *scratch);
void ek_attention_portable(const float *qkv, int ld, int n, int heads, int d, float scale,
                           const float *bias, int bias_stride, float *ctx, int ldc, float *scratch);

/* x[r] = LayerNorm(x[r] + residual[r]) · gamma + beta for `rows` rows of width w (contiguous;
 * residual may be NULL); mean and variance in two passes, as PyTorch computes them. */
void ek_add_layer_norm(float *x, const float *residual, int rows, int w,
                       const float *gamma, const float *beta, float eps);
void ek_add_layer_norm_portable(float *x, const float *residual, int rows, int w,
                                const float *gamma, const float *beta, float eps);

/* x = GELU(x) = x · ½ · (1 + erf(x / √2)) in place, count floats (erf: the XLA/Eigen float32
 * rational approximation on [-4, 4], ±1 beyond). */
void ek_gelu(float *x, size_t count);
void ek_gelu_portable(float *x, size_t count);

/* --- float32 linear layers with packed weights ---------------------------------------------
 * W[n, k] is packed once into blocks of 16 output channels, block b holding k rows of 16
 * floats (packed[b·16·k + i·16 + c % 16] = W[b·16 + c % 16, i]; channels past n are zero), so
 * the AVX-512 body streams one 64-byte vector per (block, input) and keeps a 6 × 64 tile of
 * outputs in registers. out[r·ldc + c] = Σ_i a[r·lda + i] · W[c, i] + bias[c] (bias may be NULL),
 * summed in input order with fused multiply-adds. */
size_t ek_f32_packed_floats(int n, int k);
void ek_f32_pack_weights(const float *w, int n, int k, int ldw, float *packed);
void ek_f32_gemm(const float *a, int m, int k, int lda, const float *packed, const float *bias, int n,
                 float *out, int ldc);
void ek_f32_gemm_portable(const float *a, int m, int k, int lda, const float *packed, const float *bias, int n,
                          float *out, int ldc);

/* --- int8 dynamic quantisation -----------------------------------------------------------
 * Weights W[n, k] are quantised per output channel (symmetric int8, scale max|W[c,:]| / 127),
 * activations per row (asymmetric uint8, scale (max − min) / 255 over a range that includes
 * 0, and a zero point). Products accumulate in int32 exactly (u8 × s8: AVX-512 VNNI's
 * vpdpbusd, or the portable loop), then
 *   out[r·ldc + c] = a_scale[r] · w_scale[c] · (Σ_k qa[r,k]·qw[c,k] − zero[r] · Σ_k qw[c,k]) + bias[c].
 * Rows of quantised activations are kp = ek_q8_padded_k(k) bytes long (k rounded up to 4). */
int ek_q8_padded_k(int k);
/* Bytes of packed weights for n outputs of k inputs: ceil(n / 16) · 16 · kp. */
size_t ek_q8_packed_bytes(int n, int k);
/* Quantises and packs W[n, k] (row stride ldw) into packed[ek_q8_packed_bytes(n, k)], with
 * scales[n] and sums[n] (Σ_k qw[c,k]). */
void ek_q8_pack_weights(const float *w, int n, int k, int ldw, int8_t *packed, float *scales, int32_t *sums);
/* Quantises rows a[m, k] (row stride lda) into q[m · kp], scales[m] and zeros[m]. */
void ek_q8_quantize_rows(const float *a, int m, int k, int lda, uint8_t *q, float *scales, int32_t *zeros);
void ek_q8_quantize_rows_portable(const float *a, int m, int k, int lda, uint8_t *q, float *scales, int32_t *zeros);
/* out[m, n] (row stride ldc) from quantised rows and packed weights, as above; bias may be NULL. */
void ek_q8_gemm(const uint8_t *q, const float *a_scales, const int32_t *a_zeros, int m, int k,
                const int8_t *packed, const float *w_scales, const int32_t *w_sums, const float *bias, int n,
                float *out, int ldc);
void ek_q8_gemm_portable(const uint8_t *q, const float *a_scales, const int32_t *a_zeros, int m, int k,
                         const int8_t *packed, const float *w_scales, const int32_t *w_sums, const float *bias, int n,
                         float *out, int ldc);

/* --- int16 dynamic quantisation ----------------------------------------------------------
 * The more exact sibling of int8: W[n, k] per output channel and activations per row, both
 * symmetric with 4095 levels a side (scale max|·| / 4095), int16 × int16 products summed in
 * int32 over chunks of EK_Q16_CHUNK inputs (which cannot overflow), each chunk's sum added
 * in float32 in chunk order; then out[r·ldc + c] = a_scale[r] · w_scale[c] · sum + bias[c].
 * Rows of quantised activations are kp = ek_q16_padded_k(k) values long (k rounded up to 2). */
#define EK_Q16_CHUNK 128
int ek_q16_padded_k(int k);
/* int16 values of packed weights for n outputs of k inputs: ceil(n / 16) · 16 · kp. */
size_t ek_q16_packed_values(int n, int k);
/* Quantises and packs W[n, k] (row stride ldw) into packed[ek_q16_packed_values(n, k)] and scales[n]. */
void ek_q16_pack_weights(const float *w, int n, int k, int ldw, int16_t *packed, float *scales);
/* Quantises rows a[m, k] (row stride lda) into q[m · kp] and scales[m]. */
void ek_q16_quantize_rows(const float *a, int m, int k, int lda, int16_t *q, float *scales);
void ek_q16_quantize_rows_portable(const float *a, int m, int k, int lda, int16_t *q, float *scales);
/* out[m, n] (row stride ldc) from quantised rows and packed weights, as above; bias may be NULL. */
void ek_q16_gemm(const int16_t *q, const float *a_scales, int m, int k, const int16_t *packed,
                 const float *w_scales, const float *bias, int n, float *out, int ldc);
void ek_q16_gemm_portable(const int16_t *q, const float *a_scales, int m, int k, const int16_t *packed,
                          const float *w_scales, const float *bias, int n, float *out, int ldc);

/* --- bfloat16 linear layers ---------------------------------------------------------------
 * W[n, k] and activation rows rounded to bfloat16 (round to nearest even; a denormal becomes a
 * signed zero, NaN a quiet NaN: vcvtneps2bf16's rounding, in both bodies), products summed in
 * float32 pair by pair (AVX-512 BF16's vdpbf16ps where the CPU has it; the portable body adds
 * the odd input's product, then the even one's), then out[r·ldc + c] = sum + bias[c].
 * A product of two bf16 values is exact in float32, so the bodies differ only in how the
 * sums round. Rows of rounded activations are kp = ek_bf16_padded_k(k) values (k rounded up to 2). */
int ek_bf16_padded_k(int k);
/* bf16 values of packed weights for n outputs of k inputs: ceil(n / 16) · 16 · kp. */
size_t ek_bf16_packed_values(int n, int k);
/* x rounded to bfloat16 (its upper 16 bits after rounding), as above. */
uint16_t ek_bf16_round(float x);
/* Rounds and packs W[n, k] (row stride ldw) into packed[ek_bf16_packed_values(n, k)]. */
void ek_bf16_pack_weights(const float *w, int n, int k, int ldw, uint16_t *packed);
/* Rounds rows a[m, k] (row stride lda) into q[m · kp]. */
void ek_bf16_round_rows(const float *a, int m, int k, int lda, uint16_t *q);
void ek_bf16_round_rows_portable(const float *a, int m, int k, int lda, uint16_t *q);
/* out[m, n] (row stride ldc) from rounded rows and packed weights; bias may be NULL. */
void ek_bf16_gemm(const uint16_t *q, int m, int k, const uint16_t *packed, const float *bias, int n, float *out, int ldc);
void ek_bf16_gemm_portable(const uint16_t *q, int m, int k, const uint16_t *packed, const float *bias, int n,
                           float *out, int ldc);

/* --- index-order dot products of one query with many rows (LM-BFF's cosine filter) --------
 * Rows are stored in panels of 64: value (r, i) of a [count, n] matrix is at
 * panels[(r / 64)·64·n + i·64 + r % 64] (rows past count are zero). out[r] = Σ_i row_r[i] · query[i],
 * summed in index order with a separate float32 multiply and add per term: the bits of the
 * plain loop `s += row[i] * query[i]`, for every row, in both bodies. */
size_t ek_panel_floats(int count, int n);
void ek_panel_pack(const float *rows, int count, int n, float *panels);
void ek_panel_dots(const float *query, const float *panels, int count, int n, float *out);
void ek_panel_dots_portable(const float *query, const float *panels, int count, int n, float *out);

/* --- int8 codes of index rows (the exact search's prefilter) -------------------------------
 * out[r] = Σ_i (float)codes[r·dim + i] · weights[i] for r in 0..<rows, accumulated in float32
 * (products of an int8 and a float32 are exact in float32 up to its rounding; the order of the
 * sum differs between the bodies, so callers allow for float32 rounding, not for bits). */
void ek_s8_scores(const int8_t *codes, int rows, int dim, const float *weights, float *out);
void ek_s8_scores_portable(const int8_t *codes, int rows, int dim, const float *weights, float *out);
/* The integer form, for CPUs with AVX-512 VNNI: out[r] = (float)(Σ_i codes[r·dim + i] · weights[i]) · step,
 * the sum exact in int32 in both bodies (so the same bits) while every |weights[i]| ≤
 * ek_s8_q16_levels(dim), the most that 127 · dim products can reach without overflow. */
int ek_s8_q16_levels(int dim);
void ek_s8_q16_scores(const int8_t *codes, int rows, int dim, const int16_t *weights, float step, float *out);
void ek_s8_q16_scores_portable(const int8_t *codes, int rows, int dim, const int16_t *weights, float step, float *out);

#endif
