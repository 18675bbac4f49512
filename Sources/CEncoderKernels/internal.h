/* Shared by the kernel files: the feature bits, read once per call (cheap: the probe is a
 * few cpuid bits libgcc/compiler-rt caches). */
#ifndef EK_INTERNAL_H
#define EK_INTERNAL_H
#include "encoder_kernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define EK_X86 1
#include <immintrin.h>
#define EK_AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))
#define EK_AVX2_TARGET __attribute__((target("avx2,fma")))
#define EK_VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma,avx512vnni")))
#define EK_BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma,avx512bf16")))
#else
#define EK_X86 0
#endif

/* Hides a vector's value from the optimiser: a tile's accumulators set from it stay
 * registers, where zeros would become a memset of a stack array (a call and a vzeroupper
 * per tile, measured at 18% of an int8 encode). */
#define EK_OPAQUE(v) __asm__("" : "+v"(v))

/* Runs TILE(R, B) over an [m rows × nblocks blocks of 16 outputs] GEMM: panels of 4 blocks,
 * so a panel's weights stay in L2 while every row passes, and rows 6 at a time, then one by
 * one. TILE reads b0 (the panel's first block) and r0 (the tile's first row). */
#define EK_FOR_EACH_TILE(m, nblocks, TILE)                                                        \
    for (int b0 = 0; b0 < (nblocks); b0 += 4) {                                                   \
        int r0 = 0;                                                                               \
        switch ((nblocks) - b0 < 4 ? (nblocks) - b0 : 4) {                                        \
        case 4: for (; r0 + 6 <= (m); r0 += 6) TILE(6, 4); for (; r0 < (m); r0++) TILE(1, 4); break; \
        case 3: for (; r0 + 6 <= (m); r0 += 6) TILE(6, 3); for (; r0 < (m); r0++) TILE(1, 3); break; \
        case 2: for (; r0 + 6 <= (m); r0 += 6) TILE(6, 2); for (; r0 < (m); r0++) TILE(1, 2); break; \
        default: for (; r0 + 6 <= (m); r0 += 6) TILE(6, 1); for (; r0 < (m); r0++) TILE(1, 1); break; \
        }                                                                                         \
    }

static inline int ek_has(int bits) { return (ek_cpu_features() & bits) == bits; }

#endif
