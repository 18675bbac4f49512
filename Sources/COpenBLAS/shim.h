#include <cblas.h>

/* LAPACK's dsyev (in libopenblas), as gfortran passes it: the two CHARACTER arguments' lengths last. */
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
            double *work, const int *lwork, int *info, size_t jobz_length, size_t uplo_length);
