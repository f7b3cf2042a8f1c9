// SPDX-License-Identifier: MIT
#pragma once
/// @file A dense matrix in ScaLAPACK's 2D block-cyclic layout.
#include <algorithm>
#include <cstddef>
#include <functional>
#include <vector>

#include "hessnet/core/types.hpp"
#include "hessnet/dist/array_descriptor.hpp"
#include "hessnet/dist/blacs_grid.hpp"
#include "hessnet/dist/block_cyclic.hpp"

namespace hessnet {

/// An m x n matrix split into nb x nb blocks dealt cyclically over a BlacsGrid, the first
/// block on process (0, 0). Each rank owns its local_rows() x local_cols() part as a
/// column-major array with leading dimension lld(); no rank holds the whole matrix.
/// Copies are deep (the local array) and share the grid, which must outlive them.
class DistMatrix {
 public:
  /// Local, not collective. Entries start at zero. Throws InvalidArgument when m, n < 0,
  /// nb < 1 or m, n do not fit ScaLAPACK's int indices.
  DistMatrix(const BlacsGrid& grid, Index m, Index n, Index nb);

  const BlacsGrid& grid() const { return *grid_; }
  Index rows() const { return m_; }
  Index cols() const { return n_; }
  /// Row and column block size nb.
  Index block_size() const { return nb_; }
  const ArrayDescriptor& desc() const { return desc_; }

  Index local_rows() const { return local_rows_; }
  Index local_cols() const { return local_cols_; }
  /// Leading dimension of the local array, max(1, local_rows()).
  Index lld() const { return lld_; }
  double* local_data() { return local_.data(); }
  const double* local_data() const { return local_.data(); }
  double& local(Index li, Index lj) { return local_[offset(li, lj)]; }
  double local(Index li, Index lj) const { return local_[offset(li, lj)]; }
  /// Bytes of this rank's local array, about 8 m n / P.
  std::size_t local_bytes() const { return local_.size() * sizeof(double); }

  /// Grid coordinates owning global row gi / column gj.
  int owner_row(Index gi) const { return owner_of(gi, nb_, 0, grid_->nprow()); }
  int owner_col(Index gj) const { return owner_of(gj, nb_, 0, grid_->npcol()); }
  bool owns(Index gi, Index gj) const { return owner_row(gi) == grid_->myrow() && owner_col(gj) == grid_->mycol(); }
  /// Global -> local (meaningful on the owner) and local -> global.
  Index local_row(Index gi) const { return local_index(gi, nb_, grid_->nprow()); }
  Index local_col(Index gj) const { return local_index(gj, nb_, grid_->npcol()); }
  Index global_row(Index li) const { return global_index(li, nb_, grid_->myrow(), 0, grid_->nprow()); }
  Index global_col(Index lj) const { return global_index(lj, nb_, grid_->mycol(), 0, grid_->npcol()); }

  /// Calls f(global_row0, global_col0, rows, cols, local_ptr, lld) once per owned tile,
  /// column tiles outer. A tile is nb x nb except on the ragged last block row/column;
  /// local_ptr points at the tile's (0, 0) entry in the local array.
  template <class F>
  void for_each_local_tile(F&& f) {
    walk_tiles(*this, local_.data(), f);
  }
  template <class F>
  void for_each_local_tile(F&& f) const {
    walk_tiles(*this, local_.data(), f);
  }

  /// Calls f(k, entry) once per owned diagonal entry (k, k), entry a reference into the
  /// local array, in the order of for_each_local_tile.
  template <class F>
  void for_each_local_diagonal(F&& f) {
    for_each_local_tile([&](Index r0, Index c0, Index rows, Index cols, double* tile, Index ld) {
      for (Index k = std::max(r0, c0); k < std::min(r0 + rows, c0 + cols); ++k) f(k, tile[(k - r0) + (k - c0) * ld]);
    });
  }

  /// Local: every owned entry becomes 0.
  void set_zero();
  /// Local: every owned entry (i, j) becomes value(i, j). For tests and small setups.
  void set_entries(const std::function<double(Index, Index)>& value);
  /// Local: adds lambda to every owned diagonal entry, A + lambda I.
  void add_to_diagonal(double lambda);
  /// Collective: the whole matrix on `root`, an empty matrix elsewhere. O(m n) memory and
  /// traffic on root, so for tests and small matrices only (m n < 2^31).
  Matrix gather_to_root(int root = 0) const;

 private:
  std::size_t offset(Index li, Index lj) const { return static_cast<std::size_t>(li + lj * lld_); }

  template <class Self, class Ptr, class F>
  static void walk_tiles(Self& self, Ptr data, F& f) {
    const Index nb = self.nb_;
    for (Index lj = 0; lj < self.local_cols_; lj += nb) {
      const Index cols = self.local_cols_ - lj < nb ? self.local_cols_ - lj : nb;
      const Index gj = self.global_col(lj);
      for (Index li = 0; li < self.local_rows_; li += nb) {
        const Index rows = self.local_rows_ - li < nb ? self.local_rows_ - li : nb;
        f(self.global_row(li), gj, rows, cols, data + li + lj * self.lld_, self.lld_);
      }
    }
  }

  const BlacsGrid* grid_;
  Index m_;
  Index n_;
  Index nb_;
  Index local_rows_ = 0;
  Index local_cols_ = 0;
  Index lld_ = 1;
  ArrayDescriptor desc_;
  std::vector<double> local_;
};

}  // namespace hessnet
