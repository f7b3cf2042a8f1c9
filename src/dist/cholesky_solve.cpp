// SPDX-License-Identifier: MIT
#include "hessnet/dist/cholesky_solve.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "hessnet/core/blas.hpp"
#include "hessnet/dist/dist_linalg.hpp"
#include "hessnet/dist/dist_vector.hpp"
#include "hessnet/dist/mpi_call.hpp"
#include "hessnet/dist/scalapack_api.hpp"
#include "hessnet/dist/scalapack_error.hpp"

namespace hessnet {
namespace {

const char* uplo_of(Triangle triangle) { return triangle == Triangle::Lower ? "L" : "U"; }

void check_square_and_aligned(const char* what, const DistMatrix& a, const DistMatrix& b) {
  if (a.rows() != a.cols() || b.rows() != a.rows() || b.block_size() != a.block_size() || &b.grid() != &a.grid()) {
    throw DimensionMismatch(std::string(what) + ": A is " + std::to_string(a.rows()) + "x" + std::to_string(a.cols()) +
                            " (nb " + std::to_string(a.block_size()) + "), B is " + std::to_string(b.rows()) + "x" +
                            std::to_string(b.cols()) + " (nb " + std::to_string(b.block_size()) +
                            "); need square A, equal rows and block size, one grid");
  }
}

}  // namespace

SolveResult agreed_info(const char* routine, const DistMatrix& a, int info) {
  // The worst outcome in one allreduce: max(info) and max(-info) = -min(info).
  std::array<int, 2> extremes = {info, -info};
  HESSNET_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, extremes.data(), 2, MPI_INT, MPI_MAX, a.grid().communicator().get()));
  if (extremes[1] > 0) throw ScalapackError(routine, -extremes[1]);
  if (extremes[0] > 0) return SolveResult{SolveStatus::NotPositiveDefinite, extremes[0]};
  return SolveResult{SolveStatus::Ok, 0};
}

SolveResult cholesky_solve(DistMatrix& a, DistMatrix& b, Triangle triangle) {
  check_square_and_aligned("cholesky_solve", a, b);
  const char* uplo = uplo_of(triangle);
  const int n = static_cast<int>(a.rows());
  const int nrhs = static_cast<int>(b.cols());
  int info = 0;
  if (n > 0 && nrhs > 0 && a.grid().size() == 1) {
    // One process holds the whole matrix column-major: LAPACK's threaded dposv is faster
    // than pdposv on a 1 x 1 grid (whose blocked updates run at a fraction of the speed).
    const int lda = static_cast<int>(a.lld()), ldb = static_cast<int>(b.lld());
    dposv_(uplo, &n, &nrhs, a.local_data(), &lda, b.local_data(), &ldb, &info);
  } else if (n > 0 && nrhs > 0) {
    const int one = 1;
    pdposv_(uplo, &n, &nrhs, a.local_data(), &one, &one, a.desc().data(), b.local_data(), &one, &one, b.desc().data(),
            &info, scalapack::k_one_char);
  }
  return agreed_info("pdposv", a, info);
}

SolveResult cholesky_factor(DistMatrix& a, Triangle triangle) {
  check_square_and_aligned("cholesky_factor", a, a);
  const int n = static_cast<int>(a.rows());
  int info = 0;
  if (n > 0 && a.grid().size() == 1) {
    const int lda = static_cast<int>(a.lld());
    dpotrf_(uplo_of(triangle), &n, a.local_data(), &lda, &info);  // threaded LAPACK, as in cholesky_solve
  } else if (n > 0) {
    const int one = 1;
    pdpotrf_(uplo_of(triangle), &n, a.local_data(), &one, &one, a.desc().data(), &info, scalapack::k_one_char);
  }
  return agreed_info("pdpotrf", a, info);
}

void cholesky_solve_factored(const DistMatrix& factor, Triangle triangle, DistMatrix& b) {
  check_square_and_aligned("cholesky_solve_factored", factor, b);
  const int n = static_cast<int>(factor.rows()), nrhs = static_cast<int>(b.cols());
  int info = 0;
  if (n > 0 && nrhs > 0 && factor.grid().size() == 1) {
    const int lda = static_cast<int>(factor.lld()), ldb = static_cast<int>(b.lld());
    dpotrs_(uplo_of(triangle), &n, &nrhs, factor.local_data(), &lda, b.local_data(), &ldb, &info);
  } else if (n > 0 && nrhs > 0) {
    const int one = 1;
    pdpotrs_(uplo_of(triangle), &n, &nrhs, factor.local_data(), &one, &one, factor.desc().data(), b.local_data(), &one,
             &one, b.desc().data(), &info, scalapack::k_one_char);
  }
  agreed_info("pdpotrs", factor, info);
}

void triangular_solve(const DistMatrix& factor, Triangle triangle, bool transpose, Index n, DistMatrix& x) {
  check_square_and_aligned("triangular_solve", factor, x);
  HESSNET_CHECK(0 <= n && n <= factor.rows() && x.cols() == 1, "triangular_solve: order out of range");
  if (n == 0) return;
  const int order = static_cast<int>(n), one = 1;
  pdtrsv_(uplo_of(triangle), transpose ? "T" : "N", "N", &order, factor.local_data(), &one, &one, factor.desc().data(),
          x.local_data(), &one, &one, x.desc().data(), &one);
}

FailureBound cholesky_failure_bound(const DistMatrix& factor, Triangle triangle, Index k, double diagonal_k) {
  HESSNET_CHECK(1 <= k && k <= factor.rows(), "cholesky_failure_bound: minor order out of range");
  const Index m = k - 1;  // the failing row (lower) or column (upper), 0-based, and the order of A_11
  // L(k, 1:k-1) from row k of the lower factor, or U(1:k-1, k) from column k of the upper.
  const Vector l = triangle == Triangle::Lower ? gather_row(factor, m, 0, m) : gather_column(factor, m, 0, m);
  const double d = diagonal_k - l.squaredNorm();  // the failed pivot
  FailureBound out;
  out.direction = Vector::Zero(factor.rows());
  out.direction[m] = 1;
  if (m > 0) {
    // Lower: A_11^{-1} a_k = L_11^{-T} l; upper: U_11^{-1} c.
    DistVector x(factor.grid(), factor.rows(), factor.block_size());
    Vector rhs = Vector::Zero(factor.rows());
    rhs.head(m) = -l;
    x.set_from_replicated(rhs);
    triangular_solve(factor, triangle, triangle == Triangle::Lower, m, x);
    out.direction.head(m) = x.to_replicated().head(m);
  }
  out.shift = std::max(0.0, -d) / out.direction.squaredNorm();
  return out;
}

}  // namespace hessnet
