// SPDX-License-Identifier: MIT
#include "hessnet/dist/cholesky_solve.hpp"

#include <array>
#include <string>

#include "hessnet/core/blas.hpp"
#include "hessnet/dist/mpi_call.hpp"
#include "hessnet/dist/scalapack_api.hpp"
#include "hessnet/dist/scalapack_error.hpp"

namespace hessnet {

SolveResult cholesky_solve(DistMatrix& a, DistMatrix& b, Triangle triangle) {
  if (a.rows() != a.cols() || b.rows() != a.rows() || b.block_size() != a.block_size() || &b.grid() != &a.grid()) {
    throw DimensionMismatch("cholesky_solve: A is " + std::to_string(a.rows()) + "x" + std::to_string(a.cols()) +
                            " (nb " + std::to_string(a.block_size()) + "), B is " + std::to_string(b.rows()) + "x" +
                            std::to_string(b.cols()) + " (nb " + std::to_string(b.block_size()) +
                            "); need square A, equal rows and block size, one grid");
  }
  const char* uplo = triangle == Triangle::Lower ? "L" : "U";
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
  // Agree on the worst outcome in one allreduce: max(info) and max(-info) = -min(info).
  std::array<int, 2> extremes = {info, -info};
  HESSNET_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, extremes.data(), 2, MPI_INT, MPI_MAX, a.grid().communicator().get()));
  if (extremes[1] > 0) throw ScalapackError("pdposv", -extremes[1]);
  if (extremes[0] > 0) return SolveResult{SolveStatus::NotPositiveDefinite, extremes[0]};
  return SolveResult{SolveStatus::Ok, 0};
}

}  // namespace hessnet
