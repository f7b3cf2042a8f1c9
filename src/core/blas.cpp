// SPDX-License-Identifier: MIT
#include "hessnet/core/blas.hpp"

#include <limits>

#include "hessnet/core/error.hpp"

namespace hessnet::blas {
namespace {

int to_int(Index v) {
  HESSNET_CHECK(v >= 0 && v <= std::numeric_limits<int>::max(),
                "BLAS dimension " + std::to_string(v) + " does not fit a 32-bit integer");
  return static_cast<int>(v);
}

void gemm(char ta, char tb, Index m, Index n, Index k, double alpha, const double* a, Index lda, const double* b,
          Index ldb, double beta, double* c, Index ldc) {
  if (m == 0 || n == 0) return;
  const int im = to_int(m), in = to_int(n), ik = to_int(k);
  const int ilda = to_int(lda > 0 ? lda : 1), ildb = to_int(ldb > 0 ? ldb : 1), ildc = to_int(ldc);
  dgemm_(&ta, &tb, &im, &in, &ik, &alpha, a, &ilda, b, &ildb, &beta, c, &ildc);
}

}  // namespace

void gemm_nt(Index m, Index n, Index k, double alpha, const double* a, Index lda, const double* b, Index ldb,
             double beta, double* c, Index ldc) {
  gemm('N', 'T', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void gemm_nn(Index m, Index n, Index k, double alpha, const double* a, Index lda, const double* b, Index ldb,
             double beta, double* c, Index ldc) {
  gemm('N', 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void gemm_tn(Index m, Index n, Index k, double alpha, const double* a, Index lda, const double* b, Index ldb,
             double beta, double* c, Index ldc) {
  gemm('T', 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

int threads() { return openblas_get_num_threads(); }
void set_threads(int n) { openblas_set_num_threads(n); }

}  // namespace hessnet::blas
