#include <cblas.h>

/* LAPACK's dsyevr, as gfortran passes it (the CHARACTER arguments' lengths last; relatively robust representations: eigenvectors in O(n^2) after the reduction). */
void dsyevr_(const char *jobz, const char *range, const char *uplo, const int *n, double *a, const int *lda,
             const double *vl, const double *vu, const int *il, const int *iu, const double *abstol,
             int *m, double *w, double *z, const int *ldz, int *isuppz, double *work, const int *lwork,
             int *iwork, const int *liwork, int *info, size_t jobz_length, size_t range_length, size_t uplo_length);
