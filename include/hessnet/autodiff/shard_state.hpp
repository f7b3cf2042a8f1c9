// SPDX-License-Identifier: MIT
#pragma once
/// @file Forward and backward pass of one data shard, kept for the Hessian kernel.
#include <cstddef>
#include <vector>

#include "hessnet/core/types.hpp"
#include "hessnet/loss/loss.hpp"
#include "hessnet/model/network.hpp"

namespace hessnet {

/// Which second derivatives the per-sample quantities carry: the exact Hessian's, or the
/// generalised Gauss-Newton matrix's \f$ J^T M J \f$ (J the Jacobian of the outputs,
/// M = max(d2l/do2, 0) the loss's output-space curvature): no hidden curvatures D_m, no
/// cross-layer terms, and an output curvature without the activation's second derivative.
enum class Curvature { Exact, GaussNewton };

/// Per-sample quantities of a network on a set of samples (one sample per column):
/// activations a_m, phi'_m(z_m), delta_m = dl/dz_m, the hidden curvatures
/// D_m = dl/da_m * phi''_m(z_m) and the output curvature M = d2l/dz_L2 — everything the
/// exact Hessian needs besides the weights. Derivatives are of the *inner* loss
/// (1/c) sum_s l(t_s, o_s), with c the loss normalizer over `total_samples` samples, so
/// the shards of all ranks add up to the whole data set's.
class ShardState {
 public:
  ShardState(const Network& net, const Loss& loss, ConstRowMatrixRef inputs, ConstRowMatrixRef targets,
             Index total_samples, Curvature curvature = Curvature::Exact);

  /// The bytes a ShardState of `samples` samples holds at its peak (its arrays and the
  /// largest temporaries of the passes), for the memory plan.
  static std::size_t bytes(const Network& net, Index samples);

  const Network& network() const { return net_; }
  Curvature curvature_kind() const { return kind_; }
  Index samples() const { return samples_; }
  /// This shard's share of the inner loss.
  double inner_loss() const { return inner_loss_; }
  /// This shard's share of the inner loss gradient (length N).
  const Vector& inner_gradient() const { return gradient_; }

  /// a_m, m = 0..L (a_0 = inputs): units x samples.
  const Matrix& activation(Index m) const { return a_[static_cast<std::size_t>(m)]; }
  /// phi'_m(z_m), m = 1..L (unused for a Softmax output).
  const Matrix& slope(Index m) const { return slope_[static_cast<std::size_t>(m)]; }
  /// delta_m = dl/dz_m, m = 1..L.
  const Matrix& delta(Index m) const { return delta_[static_cast<std::size_t>(m)]; }
  /// D_m, m = 1..L-1 (hidden layers).
  const Matrix& curvature(Index m) const { return curvature_[static_cast<std::size_t>(m)]; }
  /// M per sample: n_L x samples when diagonal (elementwise output), else n_L^2 x samples.
  const Matrix& output_curvature() const { return output_curvature_; }
  bool output_curvature_is_diagonal() const { return output_diagonal_; }

 private:
  void forward(ConstRowMatrixRef inputs);
  void backward(ConstRowMatrixRef targets, double scale);
  void accumulate_gradient();

  const Network& net_;
  const Loss& loss_;
  Curvature kind_;
  Index samples_;
  double inner_loss_ = 0;
  bool output_diagonal_ = true;
  std::vector<Matrix> a_, slope_, second_, delta_, curvature_;
  Matrix output_curvature_;
  Vector gradient_;
};

}  // namespace hessnet
