// SPDX-License-Identifier: MIT
#include "hessnet/dist/dist_matrix.hpp"

#include <algorithm>
#include <climits>
#include <string>

#include "hessnet/dist/mpi_call.hpp"
#include "hessnet/dist/scalapack_api.hpp"

namespace hessnet {

DistMatrix::DistMatrix(const BlacsGrid& grid, Index m, Index n, Index nb) : grid_(&grid), m_(m), n_(n), nb_(nb) {
  HESSNET_CHECK(m >= 0 && n >= 0, "DistMatrix: negative size " + std::to_string(m) + "x" + std::to_string(n));
  HESSNET_CHECK(nb >= 1 && nb <= INT_MAX, "DistMatrix: block size must be >= 1, got " + std::to_string(nb));
  HESSNET_CHECK(m <= INT_MAX && n <= INT_MAX, "DistMatrix: sizes beyond INT_MAX do not fit ScaLAPACK's int indices");
  local_rows_ = numroc(m, nb, grid.myrow(), 0, grid.nprow());
  local_cols_ = numroc(n, nb, grid.mycol(), 0, grid.npcol());
  lld_ = std::max<Index>(1, local_rows_);
  local_.assign(static_cast<std::size_t>(lld_ * local_cols_), 0.0);

  std::array<int, 9> fields{};
  const int mi = static_cast<int>(m);
  const int ni = static_cast<int>(n);
  const int nbi = static_cast<int>(nb);
  const int zero = 0;
  const int context = grid.context();
  const int lld = static_cast<int>(lld_);
  int info = 0;
  descinit_(fields.data(), &mi, &ni, &nbi, &nbi, &zero, &zero, &context, &lld, &info);
  HESSNET_CHECK(info == 0, "DistMatrix: descinit_ rejected argument " + std::to_string(-info));
  desc_ = ArrayDescriptor(fields);
}

void DistMatrix::set_zero() { std::fill(local_.begin(), local_.end(), 0.0); }

void DistMatrix::set_entries(const std::function<double(Index, Index)>& value) {
  for_each_local_tile([&](Index i0, Index j0, Index rows, Index cols, double* tile, Index ld) {
    for (Index c = 0; c < cols; ++c) {
      for (Index r = 0; r < rows; ++r) tile[r + c * ld] = value(i0 + r, j0 + c);
    }
  });
}

void DistMatrix::add_to_diagonal(double lambda) {
  // Diagonal block k sits on process (k mod nprow, k mod npcol); walk our block rows.
  const Index diag = std::min(m_, n_);
  const int nprow = grid_->nprow();
  const int npcol = grid_->npcol();
  for (Index block = grid_->myrow(); block * nb_ < diag; block += nprow) {
    if (block % npcol != grid_->mycol()) continue;
    const Index li0 = (block / nprow) * nb_;
    const Index lj0 = (block / npcol) * nb_;
    const Index count = std::min(nb_, diag - block * nb_);
    for (Index k = 0; k < count; ++k) local_[offset(li0 + k, lj0 + k)] += lambda;
  }
}

Matrix DistMatrix::gather_to_root(int root) const {
  const Communicator& comm = grid_->communicator();
  HESSNET_CHECK(m_ * n_ <= INT_MAX, "gather_to_root: matrix too large for a test gather");
  // The local array is contiguous whenever it holds anything (lld == local_rows then).
  const int count = static_cast<int>(local_rows_ * local_cols_);
  std::vector<int> counts;
  std::vector<int> displs;
  std::vector<double> all;
  const bool is_root = comm.rank() == root;
  if (is_root) {
    counts.resize(static_cast<std::size_t>(comm.size()));
    displs.resize(counts.size());
  }
  HESSNET_MPI_CALL(MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, root, comm.get()));
  if (is_root) {
    int total = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
      displs[r] = total;
      total += counts[r];
    }
    all.resize(static_cast<std::size_t>(total));
  }
  HESSNET_MPI_CALL(MPI_Gatherv(local_.data(), count, MPI_DOUBLE, all.data(), counts.data(), displs.data(), MPI_DOUBLE,
                               root, comm.get()));
  if (!is_root) return Matrix();

  Matrix full(m_, n_);
  for (int prow = 0; prow < grid_->nprow(); ++prow) {
    for (int pcol = 0; pcol < grid_->npcol(); ++pcol) {
      const auto rank = static_cast<std::size_t>(grid_->rank_of(prow, pcol));
      const Index rows = numroc(m_, nb_, prow, 0, grid_->nprow());
      const Index cols = numroc(n_, nb_, pcol, 0, grid_->npcol());
      const double* part = all.data() + displs[rank];
      for (Index lj = 0; lj < cols; ++lj) {
        const Index gj = global_index(lj, nb_, pcol, 0, grid_->npcol());
        for (Index li = 0; li < rows; ++li) {
          full(global_index(li, nb_, prow, 0, grid_->nprow()), gj) = part[li + lj * rows];
        }
      }
    }
  }
  return full;
}

}  // namespace hessnet
