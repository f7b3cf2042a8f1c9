// SPDX-License-Identifier: MIT
#pragma once
/// @file The few BLAS entry points hessnet calls directly (column-major, LP64 OpenBLAS).
#include "hessnet/core/types.hpp"

// dgemm_ and dsyrk_ come from Eigen's BLAS declarations (EIGEN_USE_BLAS is always on).
extern "C" {
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info);
void spotrf_(const char* uplo, const int* n, float* a, const int* lda, int* info);
void spotrs_(const char* uplo, const int* n, const int* nrhs, const float* a, const int* lda, float* b, const int* ldb,
             int* info);
void dpotrs_(const char* uplo, const int* n, const int* nrhs, const double* a, const int* lda, double* b,
             const int* ldb, int* info);
void dposv_(const char* uplo, const int* n, const int* nrhs, double* a, const int* lda, double* b, const int* ldb,
            int* info);
void openblas_set_num_threads(int n);
int openblas_get_num_threads();
}

namespace hessnet::blas {

/// C (m x n) = alpha * A * B^T + beta * C, A m x k, B n x k, all column-major.
void gemm_nt(Index m, Index n, Index k, double alpha, const double* a, Index lda, const double* b, Index ldb,
             double beta, double* c, Index ldc);
/// C (m x n) = alpha * A * B + beta * C, A m x k, B k x n.
void gemm_nn(Index m, Index n, Index k, double alpha, const double* a, Index lda, const double* b, Index ldb,
             double beta, double* c, Index ldc);
/// C (m x n) = alpha * A^T * B + beta * C, A k x m, B k x n.
void gemm_tn(Index m, Index n, Index k, double alpha, const double* a, Index lda, const double* b, Index ldb,
             double beta, double* c, Index ldc);

/// OpenBLAS thread count (for benchmarks and rank/thread placement).
int threads();
void set_threads(int n);

}  // namespace hessnet::blas
