// SPDX-License-Identifier: MIT
#include "hessnet/autodiff/objective_terms.hpp"

#include <cmath>

namespace hessnet {

ObjectiveTerms::ObjectiveTerms(const Network& net, const Loss& loss, const Regularizer& regularizer, double inner_loss,
                               Vector inner_gradient, Curvature curvature)
    : inner_loss_(inner_loss),
      root_(loss.is_root()),
      regularizer_value_(regularizer.value(net)),
      inner_gradient_(std::move(inner_gradient)) {
  if (root_) {  // r = sqrt: r' = 1 / (2 sqrt v), r'' = -1 / (4 v^{3/2})
    const double r = std::sqrt(inner_loss_);
    r1_ = 0.5 / r;
    r2_ = curvature == Curvature::GaussNewton ? 0.0 : -0.25 / (r * inner_loss_);
  }
  regularizer_gradient_ = Vector::Zero(net.n_params());
  regularizer.add_gradient(net, regularizer_gradient_);
  regularizer_diagonal_ = Vector::Zero(net.n_params());
  regularizer.add_hessian_diagonal(net, regularizer_diagonal_);
}

double ObjectiveTerms::data_loss() const { return root_ ? std::sqrt(inner_loss_) : inner_loss_; }

Vector ObjectiveTerms::gradient() const { return r1_ * inner_gradient_ + regularizer_gradient_; }

void ObjectiveTerms::finish_tile(Index row0, Index col0, Index rows, Index cols, double* tile, Index ld) const {
  Eigen::Map<Matrix, 0, Eigen::OuterStride<>> h(tile, rows, cols, Eigen::OuterStride<>(ld));
  if (root_ && r2_ == 0) {
    h *= r1_;
  } else if (root_) {
    // r2 (g_i g_j), not (r2 g_i) g_j: the tile at (j, i) then rounds to the same value.
    for (Index j = 0; j < cols; ++j)
      for (Index i = 0; i < rows; ++i)
        h(i, j) = r1_ * h(i, j) + r2_ * (inner_gradient_[row0 + i] * inner_gradient_[col0 + j]);
  }
  // The diagonal entries that fall inside this tile.
  const Index first = std::max(row0, col0), last = std::min(row0 + rows, col0 + cols);
  for (Index k = first; k < last; ++k) h(k - row0, k - col0) += regularizer_diagonal_[k];
}

DenseDerivatives dense_derivatives(const Network& net, const Loss& loss, const Regularizer& regularizer,
                                   ConstRowMatrixRef inputs, ConstRowMatrixRef targets, KernelOptions options,
                                   Curvature curvature) {
  const ShardState state(net, loss, inputs, targets, inputs.rows(), curvature);
  const HessianKernel kernel(state, options);
  const Index n = net.n_params();
  DenseDerivatives out;
  out.hessian = Matrix::Zero(n, n);
  kernel.add_lower_panel(0, n, out.hessian.data(), n);
  const ObjectiveTerms terms(net, loss, regularizer, state.inner_loss(), state.inner_gradient(), curvature);
  terms.finish_tile(0, 0, n, n, out.hessian.data(), n);
  out.hessian.triangularView<Eigen::StrictlyUpper>() = out.hessian.transpose();
  out.loss = terms.loss();
  out.gradient = terms.gradient();
  return out;
}

}  // namespace hessnet
