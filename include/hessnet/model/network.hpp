// SPDX-License-Identifier: MIT
#pragma once
/// @file A dense network and its one flat parameter vector.
#include <cstdint>
#include <string>
#include <vector>

#include "hessnet/core/types.hpp"
#include "hessnet/model/layers.hpp"

namespace hessnet {

/// Where dense layer m's parameters live in the flat vector. The layer's parameters form a
/// (fan_in + bias) x units matrix Wbar stored row-major: weight (i, j) at offset + i*units + j,
/// then the bias as the last row (offset + fan_in*units + j), as neupy flattens them.
struct LayerLayout {
  Index offset = 0;
  Index fan_in = 0;
  Index units = 0;
  bool bias = true;
  Activation activation = Activation::Linear;

  Index rows() const { return fan_in + (bias ? 1 : 0); }
  Index size() const { return rows() * units; }
};

class Network {
 public:
  /// A network with all parameters zero.
  explicit Network(Architecture architecture);
  /// HeNormal weights (std sqrt(2/fan_in)) and zero biases drawn from `seed`; the same seed
  /// gives the same parameters on every platform (own generator, not std::normal_distribution).
  static Network he_normal(Architecture architecture, std::uint64_t seed);

  const Architecture& architecture() const { return architecture_; }
  Index depth() const { return architecture_.depth(); }
  Index inputs() const { return architecture_.inputs(); }
  Index outputs() const { return architecture_.outputs(); }
  Index n_params() const { return parameters_.size(); }
  /// Layout of dense layer m, 1 <= m <= depth().
  const LayerLayout& layout(Index m) const { return layouts_[static_cast<std::size_t>(m - 1)]; }
  /// Dense layer that holds flat parameter p.
  Index layer_of(Index p) const;

  Vector& parameters() { return parameters_; }
  const Vector& parameters() const { return parameters_; }
  /// Replaces all parameters; throws DimensionMismatch on a wrong length.
  void set_parameters(const Vector& theta);
  /// Throws InvalidArgument "WHAT: parameter p (layer m) is nan" for the first parameter that
  /// is NaN or infinite: nothing can be trained, compared or saved from such a network.
  void require_finite_parameters(const std::string& what) const;

  /// W_m^T as a units x fan_in column-major view (the row-major storage read transposed).
  Eigen::Map<const Matrix> weight_transposed(Index m) const;
  /// Bias of layer m, or an empty vector view when the layer has none.
  Eigen::Map<const Vector> bias(Index m) const;

  /// Forward pass: one output row per input row.
  RowMatrix predict(ConstRowMatrixRef inputs) const;

 private:
  Architecture architecture_;
  std::vector<LayerLayout> layouts_;
  Vector parameters_;
};

/// Applies layer m's activation in place to pre-activations Z (units x samples, one sample per column).
void apply_activation(Activation a, Eigen::Ref<Matrix> z);

}  // namespace hessnet
