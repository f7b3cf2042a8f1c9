// SPDX-License-Identifier: MIT
#include "hessnet/autodiff/shard_state.hpp"

#include "hessnet/core/blas.hpp"
#include "hessnet/core/error.hpp"

namespace hessnet {

ShardState::ShardState(const Network& net, const Loss& loss, ConstRowMatrixRef inputs, ConstRowMatrixRef targets,
                       Index total_samples, Curvature curvature)
    : net_(net), loss_(loss), kind_(curvature), samples_(inputs.rows()) {
  if (inputs.cols() != net.inputs())
    throw DimensionMismatch("the network takes " + std::to_string(net.inputs()) + " inputs, the data has " +
                            std::to_string(inputs.cols()) + " columns");
  if (targets.cols() != net.outputs() || targets.rows() != inputs.rows())
    throw DimensionMismatch("the network has " + std::to_string(net.outputs()) + " outputs, the targets are " +
                            std::to_string(targets.rows()) + " x " + std::to_string(targets.cols()));
  HESSNET_CHECK(total_samples >= samples_ && total_samples > 0, "total sample count too small");
  const std::size_t layers = static_cast<std::size_t>(net.depth()) + 1;
  a_.resize(layers);
  slope_.resize(layers);
  second_.resize(layers);
  delta_.resize(layers);
  curvature_.resize(layers);
  forward(inputs);
  backward(targets, 1.0 / loss.normalizer(total_samples, net.outputs()));
  accumulate_gradient();
}

std::size_t ShardState::bytes(const Network& net, Index samples) {
  // Per sample: the inputs (a_0), a, phi', phi'', delta and D per unit plus one temporary
  // (z or g_m), and at the output M (n x n with softmax), the loss's two derivative rows.
  Index units = 0;
  for (Index m = 1; m <= net.depth(); ++m) units += net.layout(m).units;
  const Index n = net.outputs();
  const bool softmax = net.layout(net.depth()).activation == Activation::Softmax;
  const Index per_sample = net.inputs() + 6 * units + (softmax ? n * n : n) + 2 * n;
  return static_cast<std::size_t>(per_sample * samples) * sizeof(double);
}

void ShardState::forward(ConstRowMatrixRef inputs) {
  a_[0] = Eigen::Map<const Matrix>(inputs.data(), inputs.cols(), inputs.rows());
  for (Index m = 1; m <= net_.depth(); ++m) {
    const auto k = static_cast<std::size_t>(m);
    const auto& l = net_.layout(m);
    Matrix z = net_.weight_transposed(m) * a_[k - 1];
    if (l.bias) z.colwise() += net_.bias(m);
    if (l.activation == Activation::Softmax) {
      a_[k] = z;
      apply_activation(Activation::Softmax, a_[k]);
      continue;
    }
    a_[k].resize(z.rows(), z.cols());
    slope_[k].resize(z.rows(), z.cols());
    second_[k].resize(z.rows(), z.cols());
    for (Index e = 0; e < z.size(); ++e) {
      const auto d = activate(l.activation, z.data()[e]);
      a_[k].data()[e] = d.value;
      slope_[k].data()[e] = d.first;
      second_[k].data()[e] = d.second;
    }
  }
}

void ShardState::backward(ConstRowMatrixRef targets, double scale) {
  const Index depth = net_.depth();
  const auto top = static_cast<std::size_t>(depth);
  const Index n = net_.outputs();
  const Matrix& out = a_[top];
  const bool softmax = net_.layout(depth).activation == Activation::Softmax;
  output_diagonal_ = !softmax;
  delta_[top].resize(n, samples_);
  output_curvature_.resize(softmax ? n * n : n, samples_);
  const bool gauss_newton = kind_ == Curvature::GaussNewton;
  Vector g(n), h(n);
  // The loss and its derivatives for every sample at once (one call of a batch loss).
  RowMatrix first, second;
  const Vector losses =
      loss_.evaluate_rows(targets, Eigen::Map<const RowMatrix>(out.data(), samples_, n), first, second);
  inner_loss_ = 0;
  for (Index s = 0; s < samples_; ++s) {
    inner_loss_ += scale * losses[s];
    g = scale * first.row(s).transpose();
    h = scale * second.row(s).transpose();
    // Gauss-Newton: M = J^T max(h, 0) J, positive semidefinite (the terms in g drop out).
    if (gauss_newton) h = h.cwiseMax(0.0);
    if (!softmax) {
      // z -> a elementwise: dl/dz = phi' g, d2l/dz2 = phi'^2 h + phi'' g (diagonal).
      const auto p1 = slope_[top].col(s).array(), p2 = second_[top].col(s).array();
      delta_[top].col(s) = p1 * g.array();
      output_curvature_.col(s) = p1 * p1 * h.array();
      if (!gauss_newton) output_curvature_.col(s).array() += p2 * g.array();
      continue;
    }
    // Softmax: J = diag(a) - a a^T (symmetric); M = J diag(h) J + sum_k g_k d2a_k/dz2, where
    // sum_k g_k d2a_k/dz_i dz_j = delta_ij a_i (g_i - gbar) - a_i a_j (g_i + g_j - 2 gbar),
    // gbar = a.g.
    const Vector a = out.col(s);
    const double gbar = a.dot(g);
    Matrix jac = -a * a.transpose();
    jac.diagonal() += a;
    delta_[top].col(s) = jac * g;
    Matrix m = jac * h.asDiagonal() * jac;
    if (!gauss_newton) {
      for (Index j = 0; j < n; ++j)
        for (Index i = 0; i < n; ++i) m(i, j) -= a[i] * a[j] * (g[i] + g[j] - 2 * gbar);
      m.diagonal() += (a.array() * (g.array() - gbar)).matrix();
    }
    output_curvature_.col(s) = Eigen::Map<const Vector>(m.data(), n * n);
  }
  for (Index m = depth - 1; m >= 1; --m) {
    const auto k = static_cast<std::size_t>(m);
    // g_m = dl/da_m = W_{m+1} delta_{m+1}; delta_m = phi'_m g_m; D_m = phi''_m g_m.
    const Matrix gm = net_.weight_transposed(m + 1).transpose() * delta_[k + 1];
    delta_[k] = slope_[k].cwiseProduct(gm);
    if (gauss_newton)
      curvature_[k].setZero(gm.rows(), gm.cols());
    else
      curvature_[k] = second_[k].cwiseProduct(gm);
  }
}

void ShardState::accumulate_gradient() {
  gradient_ = Vector::Zero(net_.n_params());
  for (Index m = 1; m <= net_.depth(); ++m) {
    const auto k = static_cast<std::size_t>(m);
    const auto& l = net_.layout(m);
    // dW^T = delta_m a_{m-1}^T: exactly the row-major W storage read as units x fan_in.
    blas::gemm_nt(l.units, l.fan_in, samples_, 1.0, delta_[k].data(), l.units, a_[k - 1].data(), l.fan_in, 0.0,
                  gradient_.data() + l.offset, l.units);
    if (l.bias) gradient_.segment(l.offset + l.fan_in * l.units, l.units) = delta_[k].rowwise().sum();
  }
}

}  // namespace hessnet
