// SPDX-License-Identifier: MIT
#include "hessnet/dist/float_cholesky.hpp"

#include <algorithm>

#include "hessnet/core/blas.hpp"
#include "hessnet/core/parallel.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/dist_vector.hpp"
#include "hessnet/dist/scalapack_api.hpp"

namespace hessnet {
namespace {

const char* uplo_of(Triangle triangle) { return triangle == Triangle::Lower ? "L" : "U"; }

/// A column vector in the layout of `layout` (a DistVector), in single precision.
struct FloatColumn {
  DistVector layout;
  std::vector<float> local;

  FloatColumn(const DistMatrix& matrix, const Vector& replicated)
      : layout(matrix.grid(), matrix.rows(), matrix.block_size()),
        local(static_cast<std::size_t>(std::max<Index>(layout.local_rows(), 1)), 0.0f) {
    const double* base = layout.local_data();
    layout.for_each_local_tile([&](Index i0, Index, Index rows, Index, const double* tile, Index) {
      for (Index r = 0; r < rows; ++r)
        local[static_cast<std::size_t>(tile - base + r)] = static_cast<float>(replicated[i0 + r]);
    });
  }
  /// Collective: the whole vector on every rank (each entry has one owner: the sum is exact).
  Vector replicated() const {
    Vector v = Vector::Zero(layout.size());
    const double* base = layout.local_data();
    layout.for_each_local_tile([&](Index i0, Index, Index rows, Index, const double* tile, Index) {
      for (Index r = 0; r < rows; ++r) v[i0 + r] = local[static_cast<std::size_t>(tile - base + r)];
    });
    allreduce_sum(layout.grid().communicator(), v);
    return v;
  }
};

}  // namespace

FloatCholesky::FloatCholesky(const DistMatrix& like)
    : layout_(like),
      size_(static_cast<std::size_t>(like.local_rows() * like.local_cols())),
      local_(std::make_unique_for_overwrite<float[]>(std::max<std::size_t>(size_, 1))) {}

SolveResult FloatCholesky::factor(const DistMatrix& source, Triangle triangle,
                                  const std::vector<std::pair<std::size_t, double>>& diagonal, double lambda) {
  HESSNET_CHECK(&source.grid() == &layout_.grid() && source.rows() == layout_.rows() &&
                    source.block_size() == layout_.block_size(),
                "FloatCholesky: the source is not laid out as the copy");
  triangle_ = triangle;
  const double* from = source.local_data();
  float* to = local_.get();
  parallel_for(static_cast<Index>(size_), 1, [&](Index begin, Index end) {
    for (Index k = begin; k < end; ++k) to[k] = static_cast<float>(from[k]);  // rounds to float
  });
  for (const auto& [offset, value] : diagonal) local_[offset] = static_cast<float>(value + lambda);
  const int n = static_cast<int>(layout_.rows());
  int info = 0;
  if (n > 0 && layout_.grid().size() == 1) {
    const int lda = static_cast<int>(layout_.lld());
    spotrf_(uplo_of(triangle), &n, local_.get(), &lda, &info);  // threaded LAPACK, as for double
  } else if (n > 0) {
    const int one = 1;
    pspotrf_(uplo_of(triangle), &n, local_.get(), &one, &one, layout_.desc().data(), &info, scalapack::k_one_char);
  }
  return agreed_info("pspotrf", layout_, info);
}

Vector FloatCholesky::solve(const Vector& b) const {
  FloatColumn x(layout_, b);
  const int n = static_cast<int>(layout_.rows()), nrhs = 1;
  int info = 0;
  if (n > 0 && layout_.grid().size() == 1) {
    const int lda = static_cast<int>(layout_.lld()), ldb = static_cast<int>(x.layout.lld());
    spotrs_(uplo_of(triangle_), &n, &nrhs, local_.get(), &lda, x.local.data(), &ldb, &info);
  } else if (n > 0) {
    const int one = 1;
    pspotrs_(uplo_of(triangle_), &n, &nrhs, local_.get(), &one, &one, layout_.desc().data(), x.local.data(), &one, &one,
             x.layout.desc().data(), &info, scalapack::k_one_char);
  }
  agreed_info("pspotrs", layout_, info);
  return x.replicated();
}

Vector FloatCholesky::triangular(const Vector& b, bool transpose, Index n) const {
  FloatColumn x(layout_, b);
  if (n > 0) {
    const int order = static_cast<int>(n), one = 1;
    pstrsv_(uplo_of(triangle_), transpose ? "T" : "N", "N", &order, local_.get(), &one, &one, layout_.desc().data(),
            x.local.data(), &one, &one, x.layout.desc().data(), &one);
  }
  return x.replicated();
}

Vector FloatCholesky::half_solve(const Vector& b) const {
  // A = L L^T: L^{-1} b; A = U^T U: U^{-T} b.
  return triangular(b, triangle_ == Triangle::Upper, layout_.rows());
}

FailureBound FloatCholesky::failure_bound(Index k, double diagonal_k) const {
  HESSNET_CHECK(1 <= k && k <= layout_.rows(), "FloatCholesky::failure_bound: minor order out of range");
  const Index m = k - 1;
  // L(k, 1:k-1) from row k of the lower factor, or U(1:k-1, k) from column k of the upper.
  Vector l = Vector::Zero(m);
  const bool lower = triangle_ == Triangle::Lower;
  const BlacsGrid& grid = layout_.grid();
  if (lower ? layout_.owner_row(m) == grid.myrow() : layout_.owner_col(m) == grid.mycol()) {
    const Index fixed = lower ? layout_.local_row(m) : layout_.local_col(m);
    const Index count = lower ? layout_.local_cols() : layout_.local_rows();
    for (Index t = 0; t < count; ++t) {
      const Index g = lower ? layout_.global_col(t) : layout_.global_row(t);
      const Index offset = lower ? fixed + t * layout_.lld() : t + fixed * layout_.lld();
      if (g < m) l[g] = local_[static_cast<std::size_t>(offset)];
    }
  }
  allreduce_sum(grid.communicator(), l);
  FailureBound out;
  out.direction = Vector::Zero(layout_.rows());
  out.direction[m] = 1;
  if (m > 0) {
    Vector rhs = Vector::Zero(layout_.rows());
    rhs.head(m) = -l;
    out.direction.head(m) = triangular(rhs, lower, m).head(m);
  }
  const double d = diagonal_k - l.squaredNorm();
  out.shift = std::max(0.0, -d) / out.direction.squaredNorm();
  return out;
}

}  // namespace hessnet
