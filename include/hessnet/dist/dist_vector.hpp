// SPDX-License-Identifier: MIT
#pragma once
/// @file An n x 1 DistMatrix, the right-hand side and solution of a distributed solve.
#include "hessnet/core/types.hpp"
#include "hessnet/dist/dist_matrix.hpp"

namespace hessnet {

/// A column vector of length n in the same row distribution as an n x n DistMatrix with
/// block size nb; its entries live on process column 0. Moving between this and a
/// replicated Eigen vector (every rank holds all n entries) costs O(n) per rank.
class DistVector : public DistMatrix {
 public:
  /// Local. Entries start at zero.
  DistVector(const BlacsGrid& grid, Index n, Index nb) : DistMatrix(grid, n, 1, nb) {}

  Index size() const { return rows(); }

  /// Local: owned entries take their values from `v`, which every rank holds in full.
  /// Throws DimensionMismatch if v.size() != size().
  void set_from_replicated(const Vector& v);
  /// Collective: the whole vector on every rank (an allreduce of n doubles).
  Vector to_replicated() const;
};

}  // namespace hessnet
