// The part of OpenMP's <omp.h> that faiss's headers and the shim need. Swift's clang has no
// OpenMP headers of its own and GCC's live in a versioned folder (/usr/lib/gcc/<triple>/<N>/),
// so this stands in for them at compile time; the functions are libgomp's (linked), and
// omp_lock_t has libgomp's layout (faiss only names it in functions the shim never calls).
#ifndef EXEMPLAR_OMP_H
#define EXEMPLAR_OMP_H
#ifdef __cplusplus
extern "C" {
#endif
typedef struct { unsigned char _x[4] __attribute__((__aligned__(4))); } omp_lock_t;
void omp_set_num_threads(int);
int omp_get_max_threads(void);
#ifdef __cplusplus
}
#endif
#endif
