// SPDX-License-Identifier: MIT
#pragma once
/// @file A single-precision Cholesky factor of a shifted distributed symmetric matrix, for
/// mixed-precision solves (LAPACK's dsposv idea, distributed: ScaLAPACK has no such driver).
#include <memory>
#include <vector>

#include "hessnet/dist/cholesky_solve.hpp"
#include "hessnet/dist/dist_matrix.hpp"

namespace hessnet {

/// float32 copy of A + lambda I in the block-cyclic layout of a double DistMatrix (the same
/// descriptor: ScaLAPACK descriptors do not carry the element type), factored in place by
/// pspotrf (spotrf on one rank) at about twice the speed of the double factorization, and
/// solved with it. 4 bytes per local entry of the matrix it shadows.
class FloatCholesky {
 public:
  /// Local. Storage for a copy of `like` (which must outlive this object).
  explicit FloatCholesky(const DistMatrix& like);

  /// Bytes of the copy on the rank that holds the most of `like`: 4 local_rows local_cols.
  std::size_t local_bytes() const { return size_ * sizeof(float); }

  /// Collective. Rounds `triangle` of `source` to float, with the diagonal taken from
  /// `diagonal` (local offset and unshifted value of each owned diagonal entry: the source's
  /// own diagonal may hold anything) plus `lambda`, and factors it. Status agreed on every
  /// rank, as cholesky_factor.
  SolveResult factor(const DistMatrix& source, Triangle triangle,
                     const std::vector<std::pair<std::size_t, double>>& diagonal, double lambda);
  /// Collective. \f$ (A + \lambda I)^{-1} b \f$ in single precision (pspotrs), b and the result
  /// replicated doubles.
  Vector solve(const Vector& b) const;
  /// Collective. \f$ L^{-1} b \f$ (or \f$ U^{-T} b \f$) in single precision.
  Vector half_solve(const Vector& b) const;
  /// Collective. As cholesky_failure_bound, on this factor after factor() failed at minor k.
  FailureBound failure_bound(Index k, double diagonal_k) const;

 private:
  /// x <- T^{-1} x or T^{-T} x on the leading n block of the factor (pstrsv); replicated.
  Vector triangular(const Vector& b, bool transpose, Index n) const;

  const DistMatrix& layout_;
  // Not zeroed: factor() writes every entry before anything reads one (zeroing the copy,
  // made anew every update, cost B1 ~4 ms of a 0.17 s epoch).
  std::size_t size_;
  std::unique_ptr<float[]> local_;
  Triangle triangle_ = Triangle::Lower;
};

}  // namespace hessnet
