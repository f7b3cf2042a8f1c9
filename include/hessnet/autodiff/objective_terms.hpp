// SPDX-License-Identifier: MIT
#pragma once
/// @file The training objective r(inner loss) + regularizer, assembled from inner totals.
#include "hessnet/autodiff/hessian_kernel.hpp"
#include "hessnet/loss/regularizer.hpp"

namespace hessnet {

/// Given the inner loss v and its gradient g summed over every sample (all ranks), gives
/// the objective f = r(v) + R(theta), its gradient r'(v) g + grad R, and turns tiles of the
/// summed inner Hessian into the objective's: H = r'(v) H_in + r''(v) g g^T + diag(R'').
/// r is the identity, or sqrt for rmse/rmsle, whose r'' term couples all samples.
class ObjectiveTerms {
 public:
  /// With Curvature::GaussNewton the tiles are Gauss-Newton matrices: r'(v) G_in + diag(R''),
  /// without the r''(v) g g^T term (negative semidefinite for the sqrt of rmse/rmsle).
  ObjectiveTerms(const Network& net, const Loss& loss, const Regularizer& regularizer, double inner_loss,
                 Vector inner_gradient, Curvature curvature = Curvature::Exact);

  double data_loss() const;
  double loss() const { return data_loss() + regularizer_value_; }
  Vector gradient() const;

  /// Applies the transform above to the rows x cols tile at global (row0, col0).
  void finish_tile(Index row0, Index col0, Index rows, Index cols, double* tile, Index ld) const;

 private:
  double r1_ = 1, r2_ = 0;  // r'(v), r''(v)
  double inner_loss_;
  bool root_;
  double regularizer_value_;
  Vector inner_gradient_, regularizer_gradient_, regularizer_diagonal_;
};

/// Exact loss, gradient and full symmetric Hessian (or Gauss-Newton matrix) on one process:
/// for tests and small problems. Memory: one N x N matrix.
struct DenseDerivatives {
  double loss = 0;
  Vector gradient;
  Matrix hessian;
};
DenseDerivatives dense_derivatives(const Network& net, const Loss& loss, const Regularizer& regularizer,
                                   ConstRowMatrixRef inputs, ConstRowMatrixRef targets, KernelOptions options = {},
                                   Curvature curvature = Curvature::Exact);

}  // namespace hessnet
