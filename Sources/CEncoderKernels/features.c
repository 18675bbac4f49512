/* Run-time CPU feature probe for the kernels' AVX-512 bodies. */
#include "encoder_kernels.h"

int ek_optimized(void) {
#ifdef __OPTIMIZE__
    return 1;
#else
    return 0;
#endif
}

int ek_cpu_features(void) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    __builtin_cpu_init();
    int f = 0;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) {
        f |= EK_AVX512;
        if (__builtin_cpu_supports("avx512vnni")) f |= EK_AVX512_VNNI;
        if (__builtin_cpu_supports("avx512bf16")) f |= EK_AVX512_BF16;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) f |= EK_AVX2;
    return f;
#else
    return 0;
#endif
}
