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
#else
#define EK_X86 0
#endif

/* Hides a vector's value from the optimiser: a tile's accumulators set from it stay
 * registers, where zeros would become a memset of a stack array (a call and a vzeroupper
 * per tile, measured at 18% of an int8 encode). */
#define EK_OPAQUE(v) __asm__("" : "+v"(v))

static inline int ek_has(int bits) { return (ek_cpu_features() & bits) == bits; }

#endif
