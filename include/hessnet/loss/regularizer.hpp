// SPDX-License-Identifier: MIT
#pragma once
/// @file l1, l2 and maxnorm penalties on parameter tensors, added to the training loss.
#include <string>
#include <string_view>
#include <vector>

#include "hessnet/core/types.hpp"
#include "hessnet/model/network.hpp"

namespace hessnet {

enum class RegularizerKind { None, L1, L2, MaxNorm };

/// Each penalty is computed per tensor (a layer's weight, or its bias) and summed over the
/// tensors not excluded (biases by default, as in neupy):
///   l1: decay * sum|w|,  l2: decay * sum w^2,  maxnorm: decay * max|w|.
/// Only l2 has curvature (2*decay on the diagonal); l1 and maxnorm are piecewise linear.
struct Regularizer {
  RegularizerKind kind = RegularizerKind::None;
  double decay_rate = 0.01;
  bool exclude_biases = true;
  bool exclude_weights = false;

  friend bool operator==(const Regularizer&, const Regularizer&) = default;

  /// "l2", "l2:0.01", "l1:1e-3", "maxnorm:0.1", "none"; an optional ":all" suffix also
  /// regularizes biases. Throws InvalidArgument naming the text.
  static Regularizer parse(std::string_view text);
  std::string to_string() const;
  bool active() const { return kind != RegularizerKind::None; }

  /// Penalty value at the network's parameters.
  double value(const Network& net) const;
  /// Adds the penalty's gradient into g.
  void add_gradient(const Network& net, Eigen::Ref<Vector> g) const;
  /// Adds the penalty's Hessian diagonal into d (2*decay on regularized entries for l2).
  void add_hessian_diagonal(const Network& net, Eigen::Ref<Vector> d) const;
  /// The regularized flat index ranges [begin, end), in order.
  std::vector<std::pair<Index, Index>> ranges(const Network& net) const;
};

}  // namespace hessnet
