// SPDX-License-Identifier: MIT
#include "hessnet/dist/eigensolver.hpp"

#include <mpi.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <limits>
#include <string>

#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/mpi_call.hpp"
#include "hessnet/dist/scalapack_api.hpp"
#include "hessnet/dist/scalapack_error.hpp"

extern "C" {
// Not in scalapack_api.hpp: only the eigensolver calls it. Fortran, two CHARACTER arguments.
void pdsyev_(const char* jobz, const char* uplo, const int* n, double* a, const int* ia, const int* ja,
             const int* desca, double* w, double* z, const int* iz, const int* jz, const int* descz, double* work,
             const int* lwork, int* info, hessnet::scalapack::CharLength jobz_len,
             hessnet::scalapack::CharLength uplo_len);
}

namespace hessnet {
namespace {

/// Collective: every rank throws when any rank's info is non-zero (the most negative info
/// first: an illegal argument is our bug, whatever the others report).
void raise_if_failed(const Communicator& comm, const char* routine, int info, int n) {
  std::array<int, 2> extremes = {info, -info};  // max(info), -min(info) in one allreduce
  HESSNET_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, extremes.data(), 2, MPI_INT, MPI_MAX, comm.get()));
  if (extremes[1] > 0) throw ScalapackError(routine, -extremes[1]);
  const int worst = extremes[0];
  if (worst == 0) return;
  if (worst <= n) {
    throw CollectiveError(std::string(routine) + ": eigenvalue " + std::to_string(worst) + " of " + std::to_string(n) +
                          " did not converge (info = " + std::to_string(worst) + ")");
  }
  throw CollectiveError(std::string(routine) +
                        ": ranks computed different eigenvalues "
                        "(info = " +
                        std::to_string(worst) + ", heterogeneous processes?)");
}

/// pdsyev for eigenvalues only, on the lower triangle. `work` may be a one-double buffer
/// with lwork = -1 for the workspace query.
int call_pdsyev(DistMatrix& a, double* eigenvalues, double* work, int lwork) {
  const int n = static_cast<int>(a.rows());
  const int one = 1;
  double unused_z = 0.0;  // JOBZ = 'N': Z is not referenced, DESCZ only read
  double empty_local = 0.0;
  double* local = a.local_data() != nullptr ? a.local_data() : &empty_local;
  int info = 0;
  pdsyev_("N", "L", &n, local, &one, &one, a.desc().data(), eigenvalues, &unused_z, &one, &one, a.desc().data(), work,
          &lwork, &info, scalapack::k_one_char, scalapack::k_one_char);
  return info;
}

}  // namespace

std::vector<double> symmetric_eigenvalues(DistMatrix& a_lower) {
  if (a_lower.rows() != a_lower.cols()) {
    throw DimensionMismatch("symmetric_eigenvalues: the matrix is " + std::to_string(a_lower.rows()) + "x" +
                            std::to_string(a_lower.cols()) + ", not square");
  }
  const Communicator& comm = a_lower.grid().communicator();
  const int n = static_cast<int>(a_lower.rows());
  std::vector<double> eigenvalues(static_cast<std::size_t>(n));
  if (n == 0) return eigenvalues;

  double optimal = 0.0;
  raise_if_failed(comm, "pdsyev (workspace query)", call_pdsyev(a_lower, eigenvalues.data(), &optimal, -1), n);
  std::vector<double> work;
  run_agreed(comm, [&] {
    const double doubles = std::ceil(optimal);
    if (!(doubles >= 1.0 && doubles <= static_cast<double>(INT_MAX))) {
      throw InvalidArgument("pdsyev asked for " + std::to_string(optimal) +
                            " doubles of workspace, beyond ScaLAPACK's int LWORK");
    }
    work.resize(static_cast<std::size_t>(doubles));
  });
  raise_if_failed(comm, "pdsyev", call_pdsyev(a_lower, eigenvalues.data(), work.data(), static_cast<int>(work.size())),
                  n);
  // Every rank solved the same tridiagonal problem; rank 0's copy makes them bitwise equal.
  HESSNET_MPI_CALL(MPI_Bcast(eigenvalues.data(), n, MPI_DOUBLE, 0, comm.get()));
  return eigenvalues;
}

std::vector<double> symmetric_eigenvalues_of_copy(const DistMatrix& a_lower) {
  DistMatrix copy = a_lower;
  return symmetric_eigenvalues(copy);
}

double smallest_eigenvalue(DistMatrix& a_lower) {
  const std::vector<double> eigenvalues = symmetric_eigenvalues(a_lower);
  return eigenvalues.empty() ? std::numeric_limits<double>::quiet_NaN() : eigenvalues.front();
}

}  // namespace hessnet
