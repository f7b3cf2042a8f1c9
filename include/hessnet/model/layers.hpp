// SPDX-License-Identifier: MIT
#pragma once
/// @file Layer specifications and the `Input(2) >> Sigmoid(3) >> Sigmoid(1)` syntax.
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "hessnet/core/types.hpp"
#include "hessnet/model/activation.hpp"

namespace hessnet {

/// One layer: activation(x W + b) with `units` outputs; the Input layer has no activation.
struct LayerSpec {
  bool is_input = false;
  Activation activation = Activation::Linear;
  Index units = 0;
  bool bias = true;
};

/// An input layer followed by one or more dense layers, in order.
class Architecture {
 public:
  Architecture() = default;
  /// List form, like neupy's `[Input(2), Tanh(4), Relu(1)]`.
  Architecture(std::initializer_list<LayerSpec> layers);
  explicit Architecture(std::vector<LayerSpec> layers);

  Index inputs() const { return layers_.empty() ? 0 : layers_.front().units; }
  Index outputs() const { return layers_.empty() ? 0 : layers_.back().units; }
  /// Dense layers only (the input layer excluded).
  Index depth() const { return static_cast<Index>(layers_.size()) - 1; }
  /// Dense layer m in 1..depth(); layer(0) is the input.
  const LayerSpec& layer(Index m) const { return layers_[static_cast<std::size_t>(m)]; }
  const std::vector<LayerSpec>& layers() const { return layers_; }

  /// `Input(64) >> Sigmoid(32) >> Softmax(10)`, the form network strings are written in.
  std::string to_string() const;

  friend Architecture operator>>(Architecture net, const LayerSpec& next);

 private:
  void validate() const;
  std::vector<LayerSpec> layers_;
};

Architecture operator>>(const LayerSpec& first, const LayerSpec& second);

/// Parses `Input(64) >> Sigmoid(32) >> Softmax(10)` or `[Input(2), Tanh(4), Relu(1)]`;
/// a layer may say `Linear(3, bias=false)`. Throws InvalidArgument naming the bad token.
Architecture parse_architecture(std::string_view text);

LayerSpec Input(Index units);
LayerSpec Linear(Index units, bool bias = true);
LayerSpec Sigmoid(Index units, bool bias = true);
LayerSpec Tanh(Index units, bool bias = true);
LayerSpec Relu(Index units, bool bias = true);
LayerSpec LeakyRelu(Index units, bool bias = true);
LayerSpec Elu(Index units, bool bias = true);
LayerSpec Softplus(Index units, bool bias = true);
LayerSpec Softmax(Index units, bool bias = true);
LayerSpec HardSigmoid(Index units, bool bias = true);

}  // namespace hessnet
